"""Fans who sign in: passwordless accounts by magic link, and what is held about them."""
