"""Domains that subscribe to `orders` (signals and order extras), imported once at
start-up so their receivers are connected whatever code runs first (web or CLI)."""

from storefront.delivery import services as delivery  # noqa: F401 - download grants
from storefront.editions import (  # noqa: F401 - copies drawn and released, caps; order extras
    drawing,
    public,
)
from storefront.preorders import (  # noqa: F401 - backings, bonuses, goals
    backing,
    checks,
    rewards,
)
