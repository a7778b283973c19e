"""Per-fan caps hold whatever the timing: simultaneous checkouts of one fan, late payments
for lapsed orders, and emails typed in other cases, with spaces or +tags."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.editions.models import Copy
from storefront.editions.services import EditionError
from storefront.extensions import db
from storefront.orders.fans import fan_key
from storefront.orders.models import Order
from storefront.orders.services import PaymentOutcome, expire_order, record_payment
from storefront.preorders.models import Backing
from storefront.preorders.services import PreorderRefused
from tests.conftest import fresh
from tests.support.campaigns import open_order, pay
from tests.support.fans import Fan, pay_all_at_once

ROUNDS = 20
RUSH = 20
# One fan, typed twenty ways: the cap counts them as one.
SPELLINGS = [
    "fan@example.org",
    "FAN@example.org",
    "Fan@Example.ORG",
    "fan+drop@example.org",
    "fan+1@EXAMPLE.org",
]


@pytest.mark.parametrize(
    ("email", "key"),
    [
        (" Fan@Example.org ", "fan@example.org"),
        ("fan+tag@example.org", "fan@example.org"),
        ("FAN+a+b@x.org", "fan@x.org"),
        ("+only@x.org", "+only@x.org"),
        ("f a n@x.org", "fan@x.org"),
        ("other@example.org", "other@example.org"),
    ],
)
def test_fan_key_folds_case_spaces_and_tags(email, key):
    assert fan_key(email) == key


def test_edition_cap_counts_every_spelling_of_one_email(make_edition):
    edition = make_edition(per_fan_cap=1)
    open_order(edition.product, email="fan@example.org")
    for email in ("FAN@example.org", " fan@example.org", "fan+again@example.org"):
        with pytest.raises(EditionError, match="per fan"):
            open_order(edition.product, email=email)
    open_order(edition.product, email="someone.else@example.org")


def test_campaign_limit_counts_every_spelling_of_one_email(make_campaign):
    campaign = make_campaign(per_fan_limit=1)
    pay(open_order(campaign.products[0], email="fan@example.org"))
    with pytest.raises(PreorderRefused, match="limited to 1"):
        open_order(campaign.products[0], email="Fan+2@Example.org")


def test_late_payment_beyond_the_cap_is_refunded_not_drawn(make_edition):
    edition = make_edition(per_fan_cap=1)
    lapsed = open_order(edition.product, email="fan@example.org")
    expire_order(db.session, lapsed, now=utcnow())
    pay(open_order(edition.product, email="fan+b@example.org"))

    outcome = record_payment(db.session, fresh(lapsed), payment_id="pi_late", now=utcnow())

    assert outcome is PaymentOutcome.NEEDS_REFUND
    assert "limit per fan" in fresh(lapsed).notice
    assert db.session.scalar(select(func.count(Copy.id)).where(Copy.order_id.is_not(None))) == 1
    assert fresh(edition.product).stock == edition.size - 1


def test_late_preorder_payment_beyond_the_limit_is_refunded(make_campaign):
    campaign = make_campaign(per_fan_limit=1)
    vinyl = campaign.products[0]
    lapsed = open_order(vinyl, email="fan@example.org")
    expire_order(db.session, lapsed, now=utcnow())
    pay(open_order(vinyl, email="FAN@example.org"))

    outcome = record_payment(db.session, fresh(lapsed), payment_id="pi_late", now=utcnow())

    assert outcome is PaymentOutcome.NEEDS_REFUND
    assert db.session.scalar(select(func.count(Backing.id))) == 1


def test_the_draw_checks_the_cap_again(make_edition):
    """Two orders of one fan that both got past checkout (as a race once allowed): the
    second payment draws nothing and owes its fan the copy's price."""
    edition = make_edition(per_fan_cap=1)
    first = open_order(edition.product, email="fan@example.org")
    second = open_order(edition.product, email="other@example.org")
    second.fan_key = first.fan_key  # the state a lost race would have left
    db.session.commit()
    pay(first)

    record_payment(db.session, fresh(second), payment_id="pi_second", now=utcnow())

    second = fresh(second)
    assert second.owed_refund_cents == edition.product.price_cents
    assert "the most one fan may have" in second.notice
    assert db.session.scalar(select(func.count(Copy.id)).where(Copy.order_id == second.id)) == 0


def _rush(live_server: str, slug: str, product_id: int) -> tuple[Counter, list[str]]:
    """RUSH fans' browsers, one person behind them, check out at the same instant."""
    fans = [Fan(live_server) for _ in range(RUSH)]
    forms = []
    for index, fan in enumerate(fans):
        fan.fill_cart(slug, product_id)
        forms.append(fan.checkout_form() | {"email": SPELLINGS[index % len(SPELLINGS)]})
    start = threading.Barrier(RUSH)

    def go(index: int) -> str:
        start.wait()
        return fans[index].checkout(forms[index])

    with ThreadPoolExecutor(max_workers=RUSH) as pool:
        outcomes = Counter(pool.map(go, range(RUSH)))
    references = [
        fan.payment_page.rsplit("/", 1)[-1] for fan in fans if hasattr(fan, "payment_page")
    ]
    return outcomes, references


def _paid_orders(product_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(func.distinct(Order.id)))
        .where(Order.paid_at.is_not(None), Order.status == "paid")
        .where(Order.lines.any(product_id=product_id))
    )


@pytest.mark.slow
def test_simultaneous_checkouts_of_one_fan_never_pass_the_edition_cap(live_server, make_edition):
    for _round in range(ROUNDS):
        edition = make_edition(variants=(("standard", 30),), per_fan_cap=1)
        product_id = edition.product.id
        outcomes, references = _rush(live_server, edition.product.release.slug, product_id)
        assert outcomes["reserved"] == 1, outcomes
        assert sum(outcomes.values()) == RUSH and not any(o.startswith("error:5") for o in outcomes)
        assert pay_all_at_once(live_server, references) == {302: len(references)}
        assert _paid_orders(product_id) == 1
        assert (
            db.session.scalar(
                select(func.count(Copy.id)).where(
                    Copy.edition_id == edition.id, Copy.order_id.is_not(None)
                )
            )
            == 1
        )


@pytest.mark.slow
def test_simultaneous_checkouts_of_one_fan_never_pass_the_campaign_limit(
    live_server, make_campaign
):
    for _round in range(ROUNDS):
        campaign = make_campaign(per_fan_limit=2)
        vinyl = campaign.products[0]
        outcomes, references = _rush(live_server, vinyl.release.slug, vinyl.id)
        assert outcomes["reserved"] == 2, outcomes
        assert pay_all_at_once(live_server, references) == {302: len(references)}
        assert _paid_orders(vinyl.id) == 2
        units = db.session.scalar(
            select(func.sum(Backing.units)).where(Backing.campaign_id == campaign.id)
        )
        assert units == 2


def test_an_expired_order_no_longer_counts(make_edition):
    edition = make_edition(per_fan_cap=1)
    first = open_order(edition.product, email="fan@example.org")
    first.reserved_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expire_order(db.session, first, now=utcnow())
    assert open_order(edition.product, email="fan@example.org").status == "pending"
