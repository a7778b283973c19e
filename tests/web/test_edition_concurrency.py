"""200 fans pay at once for an edition of 150 copies: 150 drawn, none twice, 50 refunded.

Real HTTP and real threads against a live server; SQLite here, PostgreSQL in CI.
"""

from collections import Counter

import pytest
from sqlalchemy import func, select

from storefront.editions.models import Copy, DrawLogEntry
from storefront.editions.services import fairness
from storefront.editions.verify import check
from storefront.extensions import db
from storefront.orders.models import Order
from tests.conftest import fresh
from tests.support.campaigns import open_order
from tests.support.fans import pay_all_at_once

pytestmark = pytest.mark.slow


def test_concurrent_payments_draw_exactly_the_run(live_server, make_edition):
    edition = make_edition(variants=(("standard", 120), ("silver", 25), ("gold", 5)), stock=200)
    pending = [open_order(edition.product, email=f"fan{n}@x.org").reference for n in range(200)]

    statuses = pay_all_at_once(live_server, pending)

    assert statuses == {302: 200}
    db.session.expire_all()
    drawn = db.session.execute(
        select(Copy.variant_id, Copy.number).where(Copy.order_id.is_not(None))
    ).all()
    assert len(drawn) == 150 and len(set(drawn)) == 150
    sequences = db.session.scalars(
        select(DrawLogEntry.sequence).order_by(DrawLogEntry.sequence)
    ).all()
    assert sequences == list(range(1, 151))
    outcomes = Counter(db.session.scalars(select(Order.status)).all())
    assert outcomes == {"paid": 150, "refunded": 50}
    assert db.session.scalar(select(func.count(Order.id)).where(Order.notice.is_not(None))) == 50
    assert check(fairness(db.session, fresh(edition))) == [], "sold out: the log replays"
