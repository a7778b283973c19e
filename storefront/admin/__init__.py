"""The label's admin area (HTML)."""
