"""Joining a product's waitlist, and mailing the waiting fans when units come back.

Who is mailed is decided by a conditional UPDATE of `notified_at` from NULL: two
releases of the same product at once (two reservations running out, a return and a
restock) each claim their own fans, so no fan is mailed twice."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.catalog.models import Product
from storefront.database import transactional
from storefront.errors import StorefrontError
from storefront.links import public_urls
from storefront.mail.outbox import enqueue
from storefront.orders.fans import fan_key
from storefront.waitlist.models import WaitlistEntry

MAIL_KIND = "waitlist_back"


class WaitlistError(StorefrontError):
    code = "waitlist_refused"
    status = 404


@transactional
def join_waitlist(
    session: Session,
    *,
    product_id: int,
    option_id: int | None,
    email: str,
    locale: str,
    now: datetime,
) -> bool:
    """Put `email` on the product's (or size's) list; False when that fan is on it
    already. A fan mailed before who missed the units joins again at the back."""
    product = session.get(Product, product_id)
    if product is None or not product.active or not product.is_physical:
        raise WaitlistError(_l("This product has no waitlist."))
    if option_id is not None and option_id not in {option.id for option in product.options}:
        raise WaitlistError(_l("This size is not one of the product's."))
    key = fan_key(email)
    earlier = _entry(session, product_id, option_id, key)
    if earlier is not None and earlier.notified_at is None:
        return False
    if earlier is not None:
        earlier.created_at, earlier.notified_at, earlier.locale = now, None, locale
        return True
    entry = WaitlistEntry(
        product_id=product_id,
        option_id=option_id,
        email=email.strip(),
        email_key=key,
        locale=locale,
        created_at=now,
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:  # the same fan signing up twice at the same moment
        session.rollback()
        return False
    return True


def _entry(
    session: Session, product_id: int, option_id: int | None, key: str
) -> WaitlistEntry | None:
    same_size = (
        WaitlistEntry.option_id.is_(None)
        if option_id is None
        else WaitlistEntry.option_id == option_id
    )
    return session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.product_id == product_id, same_size, WaitlistEntry.email_key == key
        )
    )


def notify_waiting(
    session: Session, *, product_id: int, option_id: int | None, units: int, now: datetime
) -> int:
    """Mail up to `units` fans waiting for the product (for that size, or for any size),
    oldest first, each once, in the caller's transaction; how many were mailed."""
    mailed = 0
    while mailed < units:
        waiting = _waiting(session, product_id, option_id, limit=units - mailed)
        if not waiting:
            break
        for entry in waiting:
            if _claim(session, entry.id, now):
                _mail(session, entry)
                mailed += 1
    return mailed


def _waiting(
    session: Session, product_id: int, option_id: int | None, *, limit: int
) -> list[WaitlistEntry]:
    query = select(WaitlistEntry).where(
        WaitlistEntry.product_id == product_id, WaitlistEntry.notified_at.is_(None)
    )
    if option_id is not None:
        query = query.where(
            or_(WaitlistEntry.option_id.is_(None), WaitlistEntry.option_id == option_id)
        )
    return list(
        session.scalars(query.order_by(WaitlistEntry.created_at, WaitlistEntry.id).limit(limit))
    )


def _claim(session: Session, entry_id: int, now: datetime) -> bool:
    """This transaction mails the fan only if no other has claimed them."""
    claimed = session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.id == entry_id, WaitlistEntry.notified_at.is_(None))
        .values(notified_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def _mail(session: Session, entry: WaitlistEntry) -> None:
    product = session.get(Product, entry.product_id)
    option = next((o for o in product.options if o.id == entry.option_id), None)
    with public_urls(), force_locale(entry.locale):
        name = product.describe(option)
        link = url_for("shop.release", slug=product.release.slug, _external=True)
        subject = _("Back in stock: %(name)s", name=name)
        body = render_template("mail/waitlist_back.txt", name=name, link=link)
    enqueue(session, recipient=entry.email, subject=subject, body=body, kind=MAIL_KIND)
