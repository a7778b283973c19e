"""The one error fulfilment raises: its message is shown to the label as it is."""

from __future__ import annotations

from storefront.errors import StorefrontError


class FulfilmentRefused(StorefrontError):
    """A parcel, a batch, an import or a return the rules do not allow; nothing was done."""

    code = "fulfilment_refused"
    status = 422
