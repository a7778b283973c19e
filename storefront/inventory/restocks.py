"""Restock orders: a repress or reorder recorded when it is ordered and when it arrives,
so the label knows how long a restock takes (the median, for the KPI dashboard)."""

from __future__ import annotations

import statistics
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, ProductOption, StockReason
from storefront.database import transactional
from storefront.inventory.models import RestockOrder
from storefront.inventory.moves import put_back
from storefront.inventory.services import InventoryRefused, check_item

DAY_SECONDS = 86_400


@transactional
def order_restock(
    session: Session,
    product: Product,
    *,
    option_id: int | None,
    quantity: int,
    supplier: str,
    ordered_at: datetime,
    actor: str,
    note: str = "",
) -> RestockOrder:
    """Record a repress or reorder the label has placed."""
    check_item(product, option_id)
    restock = RestockOrder(
        product_id=product.id,
        option_id=option_id,
        quantity=quantity,
        supplier=supplier,
        note=note,
        ordered_at=ordered_at,
        actor=actor,
    )
    session.add(restock)
    return restock


@transactional
def receive_restock(
    session: Session,
    restock: RestockOrder,
    *,
    received_at: datetime,
    quantity: int,
    actor: str,
    now: datetime,
) -> RestockOrder:
    """The units arrived: they go into the stock (a RESTOCK move) and become the
    product's last run. Received once: the claim is a conditional UPDATE, so a form sent
    twice adds the units once."""
    if received_at < restock.ordered_at:
        message = _l("It cannot arrive before it was ordered.")
        raise InventoryRefused(str(message), field="received_on")
    if received_at > now:
        raise InventoryRefused(str(_l("That date is still to come.")), field="received_on")
    claimed = session.execute(
        update(RestockOrder)
        .where(RestockOrder.id == restock.id, RestockOrder.received_at.is_(None))
        .values(received_at=received_at, received_quantity=quantity)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise InventoryRefused(str(_l("This restock was received already.")))
    session.refresh(restock)
    if quantity:
        _put_on_shelf(session, restock, quantity, actor, now)
    return restock


def _put_on_shelf(
    session: Session, restock: RestockOrder, quantity: int, actor: str, now: datetime
) -> None:
    product = restock.product
    # The last run is the size of this run; for sizes, the product's total once it is
    # in (one size restocked alone would make a quarter of it a meaningless threshold).
    product.last_run = quantity
    if product.has_options:
        total = session.scalar(
            select(func.sum(ProductOption.stock)).where(ProductOption.product_id == product.id)
        )
        product.last_run = (total or 0) + quantity
    session.flush()
    supplier = f", {restock.supplier}" if restock.supplier else ""
    put_back(
        session,
        product,
        option_id=restock.option_id,
        quantity=quantity,
        reason=StockReason.RESTOCK,
        actor=actor,
        now=now,
        detail=f"restock #{restock.id}{supplier}",
    )


def restock_orders(session: Session, product: Product) -> list[RestockOrder]:
    """The product's restock orders, waiting ones first, then the latest received."""
    return list(
        session.scalars(
            select(RestockOrder)
            .where(RestockOrder.product_id == product.id)
            .order_by(RestockOrder.received_at.is_not(None), RestockOrder.id.desc())
        )
    )


def median_restock_days(
    session: Session, *, since: datetime, until: datetime, release_id: int | None = None
) -> float | None:
    """The median time from ordered to received, in days, of the restock orders received
    in [since, until) (of one release's products when `release_id`); None when none was."""
    query = select(RestockOrder.ordered_at, RestockOrder.received_at).where(
        RestockOrder.received_at >= since, RestockOrder.received_at < until
    )
    if release_id is not None:
        query = query.join(Product, Product.id == RestockOrder.product_id).where(
            Product.release_id == release_id
        )
    days = [
        (received - ordered).total_seconds() / DAY_SECONDS
        for ordered, received in session.execute(query)
    ]
    return statistics.median(days) if days else None
