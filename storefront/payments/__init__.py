"""Payment providers behind one interface, and the Stripe webhook."""
