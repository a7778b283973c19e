"""Carts, checkout, reservations and the order state machine."""
