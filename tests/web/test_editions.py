"""Editions through the services: draws on payment, releases on refund, sell-out, caps."""

import pytest
from sqlalchemy import select

from storefront.clock import utcnow
from storefront.editions.models import Copy, DrawLogEntry
from storefront.editions.services import (
    EditionError,
    copies_left,
    copies_of_order,
    create_edition,
    fairness,
)
from storefront.editions.verify import check
from storefront.extensions import db
from storefront.inserts.models import InsertAward, InsertPool
from storefront.payments.services import refund_order
from tests.conftest import fresh
from tests.support.campaigns import open_order, pay, preorder


def test_variant_counts_must_add_up_to_the_run(make_product):
    vinyl = make_product(stock=300)
    with pytest.raises(EditionError, match="add up to 290"):
        create_edition(
            db.session,
            product=vinyl,
            name="x",
            size=300,
            variants=[("standard", 250), ("silver", 40)],
            now=utcnow(),
        )
    with pytest.raises(EditionError, match="positive"):
        create_edition(
            db.session,
            product=vinyl,
            name="x",
            size=300,
            variants=[("standard", 300), ("gold", 0)],
            now=utcnow(),
        )


def test_an_edition_publishes_its_commitment_and_numbers_every_copy(make_edition):
    edition = make_edition()
    copies = db.session.scalars(select(Copy).where(Copy.edition_id == edition.id)).all()
    assert len(copies) == 8
    assert len({(c.variant_id, c.number) for c in copies}) == 8
    assert len({c.card_code for c in copies}) == 8
    data = fairness(db.session, edition)
    assert data["server_seed"] is None and len(data["commitment"]) == 64


def test_paying_draws_one_copy_per_unit_with_consecutive_sequences(make_edition):
    edition = make_edition()
    order = preorder(edition.product, quantity=3)
    copies = copies_of_order(db.session, order)
    assert [c.sequence for c in copies] == [1, 2, 3]
    assert sum(copies_left(db.session, edition).values()) == 5
    assert copies[0].label.startswith("No. ")


def test_unpaid_orders_never_burn_copies(make_edition):
    edition = make_edition()
    open_order(edition.product, quantity=2)
    assert sum(copies_left(db.session, edition).values()) == 8


def test_a_refund_before_shipping_puts_the_copies_back_and_logs_it(make_edition):
    edition = make_edition()
    order = preorder(edition.product, quantity=2)
    refund_order(db.session, order, reason="changed mind", now=utcnow())
    kinds = db.session.scalars(select(DrawLogEntry.kind).order_by(DrawLogEntry.sequence)).all()
    assert kinds == ["draw", "draw", "release", "release"]
    assert sum(copies_left(db.session, edition).values()) == 8


def test_selling_out_reveals_the_seed_and_the_log_replays(make_edition):
    edition = make_edition(variants=(("standard", 3), ("gold", 1)))
    for n in range(4):
        preorder(edition.product, email=f"{n}@x.org")
    data = fairness(db.session, fresh(edition))
    assert data["server_seed"] is not None
    assert check(data) == []
    data["log"][1]["number"] = 99
    assert check(data)


def test_orders_beyond_the_copies_are_refunded_for_what_they_miss(make_edition):
    edition = make_edition(variants=(("standard", 2),), stock=5)  # the label set stock too high
    first, second, third = (open_order(edition.product, quantity=q) for q in (1, 2, 1))
    pay(first)
    second = fresh(pay(second))  # one copy left, two paid for
    assert len(copies_of_order(db.session, second)) == 1
    assert (second.status, second.refunded_cents) == ("paid", edition.product.price_cents)
    assert "sold out" in second.notice
    assert fresh(pay(third)).status == "refunded"
    with pytest.raises(EditionError, match="sold out"):
        open_order(edition.product)


def test_per_order_and_per_fan_caps(make_edition):
    edition = make_edition(per_order_cap=2, per_fan_cap=3)
    with pytest.raises(EditionError, match="per order"):
        open_order(edition.product, quantity=3)
    preorder(edition.product, quantity=2, email="fan@x.org")
    with pytest.raises(EditionError, match="per fan"):
        open_order(edition.product, quantity=2, email="fan@x.org")
    open_order(edition.product, quantity=1, email="fan@x.org")


def test_insert_pool_puts_exactly_k_items_into_a_sold_out_run(make_edition):
    edition = make_edition(variants=(("standard", 12),))
    db.session.add(InsertPool(edition_id=edition.id, name="Carnet de studio", count=3))
    db.session.commit()
    for n in range(12):
        preorder(edition.product, email=f"{n}@x.org")
    positions = sorted(db.session.scalars(select(InsertAward.position)).all())
    assert len(positions) == 3
    assert [(p - 1) // 4 for p in positions] == [0, 1, 2], "one per block of the run"
