"""Discount codes: made by the shop (a quest badge) or the label, applied in the cart."""
