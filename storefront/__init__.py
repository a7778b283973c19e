"""Sillon: the storefront of an independent record label.

Importing the package (or any domain module in it) loads no Flask app and has no side
effect: `create_app` builds the app when it is called (`storefront:create_app()`).
"""

from typing import Any


def create_app(*args: Any, **kwargs: Any):
    """Build the application (see `storefront.app.create_app`)."""
    from storefront.app import create_app as build

    return build(*args, **kwargs)
