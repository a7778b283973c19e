"""Making codes, finding what a fan typed, taking and giving back a use.

A use is taken with a conditional UPDATE in the checkout's transaction (`mechanic`), so
a code usable once is used once, however many carts hold it at the same time.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.discounts.models import DiscountCode
from storefront.errors import StorefrontError
from storefront.orders.cart import Discount

# No 0/O, 1/I/L: a code read off a phone and typed on another is typed right.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8  # 31^8: about 2^40 codes, behind a rate limit


class DiscountRefused(StorefrontError):
    code = "discount_refused"
    status = 409


def normalise(text: str) -> str:
    """A typed code as stored: capitals, the dash put back, spaces and dashes ignored."""
    bare = "".join(char for char in text.upper() if char.isalnum())
    return f"{bare[:4]}-{bare[4:]}" if len(bare) == CODE_LENGTH else bare


def issue_code(
    session: Session, *, percent_off: int, source: str, now: datetime, max_uses: int = 1
) -> DiscountCode:
    """A new random code (flushed; the caller commits)."""
    bare = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    code = DiscountCode(
        code=normalise(bare),
        percent_off=percent_off,
        max_uses=max_uses,
        source=source,
        created_at=now,
    )
    session.add(code)
    session.flush()
    return code


def discount_for(session: Session, typed: str) -> Discount:
    """The discount a typed code gives, or DiscountRefused saying why."""
    found = session.scalar(select(DiscountCode).where(DiscountCode.code == normalise(typed)))
    if found is None:
        raise DiscountRefused(_l("This code is not valid. Check it and try again."))
    if found.uses >= found.max_uses:
        raise DiscountRefused(_l("This code has already been used."))
    return Discount(found.id, found.code, found.percent_off)


def take_use(session: Session, code_id: int) -> None:
    """One more order holds the code; DiscountRefused when none is left."""
    taken = session.execute(
        update(DiscountCode)
        .where(DiscountCode.id == code_id, DiscountCode.uses < DiscountCode.max_uses)
        .values(uses=DiscountCode.uses + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise DiscountRefused(_l("This code has already been used."))


def give_back_use(session: Session, code_id: int) -> None:
    """An unpaid order that held the code lapsed: the code may be used again."""
    session.execute(
        update(DiscountCode)
        .where(DiscountCode.id == code_id, DiscountCode.uses > 0)
        .values(uses=DiscountCode.uses - 1)
        .execution_options(synchronize_session=False)
    )
