"""Machine-facing endpoints (JSON): health, the Stripe webhook."""
