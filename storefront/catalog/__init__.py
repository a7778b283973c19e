"""Releases, tracks, products and their stock."""
