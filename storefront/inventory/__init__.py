"""The main stock explained: every move with its reason, restock alerts once per
crossing, and restock orders (so the median time to restock is known)."""
