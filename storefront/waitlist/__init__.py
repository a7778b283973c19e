"""Fans waiting for a sold-out or all-reserved product, mailed when units come back."""
