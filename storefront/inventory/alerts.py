"""Restock alerts: which products are under their threshold, and the mail to the admins
sent once per crossing (a conditional UPDATE of `low_stock_since` decides who sends it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from storefront.accounts.staff import admin_emails
from storefront.catalog.models import Product, ProductKind, ProductOption
from storefront.inventory.thresholds import is_under, threshold
from storefront.links import public_urls
from storefront.mail.outbox import enqueue

MAIL_KIND = "restock_alert"


@dataclass(frozen=True)
class LowStock:
    """A product under its restock threshold (sizes: the product's total)."""

    product_id: int
    label: str
    units_left: int
    threshold: int
    since: datetime | None  # when it crossed (None: not recorded yet, e.g. a new threshold)


def products_under_threshold(session: Session) -> list[LowStock]:
    """Every active physical product whose stock is under its threshold, fewest left first
    (the Stock list and the KPI dashboard read this)."""
    products = session.scalars(
        select(Product)
        .where(Product.kind != ProductKind.DIGITAL, Product.active.is_(True))
        .options(selectinload(Product.release), selectinload(Product.options))
        .order_by(Product.id)
        .execution_options(populate_existing=True)  # the figures now, not the session's
    ).all()
    low = []
    for product in products:
        limit = threshold(product.restock_threshold, product.last_run)
        left = product.units_left or 0
        if limit is not None and is_under(left, limit):
            since = product.low_stock_since
            low.append(LowStock(product.id, product.describe(), left, limit, since))
    return sorted(low, key=lambda item: (item.units_left, item.product_id))


def check_threshold(session: Session, product_id: int, *, now: datetime) -> bool:
    """After a change of the product's stock (in its transaction): mark it low and mail the
    admins when it has just crossed under its threshold, re-arm the alert when it is back
    above. True when this call queued the alert. Of two sales crossing at once, the one
    whose UPDATE finds `low_stock_since` still empty sends it; the other finds it set."""
    row = session.execute(
        select(Product.stock, Product.restock_threshold, Product.last_run).where(
            Product.id == product_id
        )
    ).one()
    limit = threshold(row.restock_threshold, row.last_run)
    if limit is None:
        return False
    left = _units_left(session, product_id, row.stock)
    low = is_under(left, limit)
    claim = Product.low_stock_since.is_(None) if low else Product.low_stock_since.is_not(None)
    changed = session.execute(
        update(Product)
        .where(Product.id == product_id, claim)
        .values(low_stock_since=now if low else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not (low and changed):
        return False
    _mail_admins(session, session.get(Product, product_id), left, limit)
    return True


def _units_left(session: Session, product_id: int, plain_stock: int | None) -> int:
    count, total = session.execute(
        select(func.count(ProductOption.id), func.coalesce(func.sum(ProductOption.stock), 0)).where(
            ProductOption.product_id == product_id
        )
    ).one()
    return total if count else (plain_stock or 0)


def _mail_admins(session: Session, product: Product, left: int, limit: int) -> None:
    with public_urls():  # whatever request (or none: a job) crossed the line
        link = url_for("admin.stock_product", product_id=product.id, _external=True)
    subject = _("Restock alert: %(item)s (%(left)d left)", item=product.describe(), left=left)
    body = _(
        "%(item)s has %(left)d units left, under its restock threshold of %(limit)d.\n\n"
        "Its stock, move by move, and the restock orders: %(link)s\n",
        item=product.describe(),
        left=left,
        limit=limit,
        link=link,
    )
    for email in admin_emails(session):
        enqueue(session, recipient=email, subject=subject, body=body, kind=MAIL_KIND)
