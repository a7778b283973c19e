"""Admin: the blueprint, as `storefront.web` imports it (the views live in sibling modules)."""

from storefront.admin import bp

__all__ = ["bp"]
