"""Supporter membership: tiers the label sets, fans' memberships on Stripe Billing, and the
benefits a membership gives while it lasts."""
