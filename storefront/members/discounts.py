"""What a membership changes in the cart, decided here for every screen: the tier's
discount on physical lines (records, tapes, CDs and merch; downloads are a separate
benefit) and early access to campaigns. Re-read at each pricing, so a membership that
has lapsed by checkout gives nothing there.

The discount only ever subtracts from the public price (`Product.price_cents`), and with
a discount code it stops at the label's floor (`DISCOUNT_FLOOR_PERCENT` of the price).
Stand sales are priced without it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from storefront.members.benefits import benefits_for
from storefront.members.early import early_hours_by_product
from storefront.orders.cart import MemberDiscount, MemberPricing


def member_pricing(
    session: Session,
    fan_id: int | None,
    product_ids: set[int],
    *,
    now: datetime,
    grace: timedelta,
    floor_percent: int,
) -> MemberPricing | None:
    """What `fan_id`'s membership gives on these products at `now`; None for others."""
    benefits = benefits_for(session, fan_id, now=now, grace=grace)
    if benefits is None:
        return None
    discount = (
        MemberDiscount(benefits.tier_name, benefits.discount_percent)
        if benefits.discount_percent
        else None
    )
    return MemberPricing(
        discount=discount,
        early_hours=early_hours_by_product(session, benefits, product_ids),
        floor_percent=floor_percent,
    )
