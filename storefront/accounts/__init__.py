"""Staff accounts for the admin area."""
