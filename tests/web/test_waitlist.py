"""Fans who cannot get in wait politely: the page tells "sold out" from "all reserved"
(how many held, when the first may come back), a waitlist takes their email once, and
units coming back mail the oldest waiting fans, each once, however many come back at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from storefront.catalog.models import StockReason
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.inventory.moves import put_back
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order
from storefront.orders.services import expire_due_orders
from storefront.waitlist.models import WaitlistEntry
from storefront.waitlist.services import MAIL_KIND, join_waitlist, notify_waiting
from tests.conftest import csrf_token_from, fresh
from tests.support.fans import Fan
from tests.support.shop import add_to_cart, checkout, reference_of


def page_of(client, product) -> str:
    return client.get(f"/releases/{product.release.slug}").get_data(as_text=True)


def reserve(app, product, quantity=1) -> str:
    """A checkout under way by a fan of its own: the order's reference."""
    fan = app.test_client()
    add_to_cart(fan, product, quantity)
    return reference_of(checkout(fan))


def end_reservation_in(reference: str, delta: timedelta) -> None:
    db.session.execute(
        update(Order).where(Order.reference == reference).values(reserved_until=utcnow() + delta)
    )
    db.session.commit()


def sign_up(client, product, email, *, option_id=None, token=None):
    token = token or csrf_token_from(page_of(client, product))
    data = {"csrf_token": token, "product_id": product.id, "email": email}
    if option_id is not None:
        data["option_id"] = option_id
    return client.post("/waitlist", data=data)


def waitlist_mails() -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def wait(product, *emails, option_id=None) -> None:
    """Fans join the list in this order (a second apart: oldest first is testable)."""
    start = utcnow() - timedelta(hours=1)
    for index, email in enumerate(emails):
        join_waitlist(
            db.session,
            product_id=product.id,
            option_id=option_id,
            email=email,
            locale="en",
            now=start + timedelta(seconds=index),
        )


# --- what the page and the cart say --------------------------------------------------


def test_nothing_held_says_sold_out_and_offers_the_waitlist(client, make_product):
    vinyl = make_product(stock=0)
    html = page_of(client, vinyl)
    assert "Sold out" in html
    assert "All reserved" not in html
    assert 'action="/waitlist"' in html and f'name="product_id" value="{vinyl.id}"' in html


def test_all_reserved_says_how_many_are_held_and_when_the_first_may_come_back(
    app, client, make_product
):
    vinyl = make_product(stock=3)
    first, second = reserve(app, vinyl, 2), reserve(app, vinyl, 1)
    end_reservation_in(first, timedelta(minutes=11, seconds=30))
    end_reservation_in(second, timedelta(minutes=4, seconds=10))
    html = page_of(client, vinyl)
    assert (
        "All reserved: 3 held by checkouts under way, the first may come back in 5 minutes." in html
    )
    assert "Sold out" not in html
    assert 'action="/waitlist"' in html


def test_a_lapsed_reservation_is_on_sale_again_not_held(app, client, make_product):
    vinyl = make_product(stock=3)
    reserve(app, vinyl, 2)
    lapsed = reserve(app, vinyl, 1)
    end_reservation_in(lapsed, timedelta(minutes=-1))
    html = page_of(client, vinyl)
    assert "1 left" in html and "All reserved" not in html
    assert 'action="/waitlist"' not in html
    # Under a minute to go is "1 minute", never "0".
    end_reservation_in(lapsed, timedelta(seconds=20))
    expected = "All reserved: 3 held by checkouts under way, the first may come back in 1 minute."
    assert expected in page_of(client, vinyl)


def test_a_checkout_finding_every_unit_held_says_so(app, client, make_product):
    vinyl = make_product(stock=1)
    reserve(app, vinyl)
    add_to_cart(client, vinyl)
    response = checkout(client)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    minutes = app.config["RESERVATION_MINUTES"]
    assert "is sold out." in body
    held = "All reserved: 1 held by a checkout under way"
    assert f"{held}, the first may come back in {minutes} minutes." in body


def test_a_size_held_by_nobody_says_sold_out_even_if_other_sizes_are_held(app, make_product):
    shirt = make_product(kind="merch", options={"S": 1, "M": 1})
    small, medium = shirt.options
    holder, late = app.test_client(), app.test_client()
    add_to_cart(holder, shirt, option_id=medium.id)
    reference_of(checkout(holder))
    add_to_cart(late, shirt, option_id=small.id)
    db.session.execute(update(type(small)).where(type(small).id == small.id).values(stock=0))
    db.session.commit()
    body = checkout(late).get_data(as_text=True)
    assert "is sold out." in body and "All reserved" not in body


def test_a_checkout_finding_nothing_held_says_sold_out_only(app, client, make_product):
    vinyl = make_product(stock=1)
    add_to_cart(client, vinyl)
    db.session.execute(update(type(vinyl)).values(stock=0))
    db.session.commit()
    body = checkout(client).get_data(as_text=True)
    assert "is sold out." in body and "All reserved" not in body


# --- signing up ----------------------------------------------------------------------


def test_signing_up_twice_keeps_one_entry_and_says_you_are_on_the_list(client, make_product):
    vinyl = make_product(stock=0)
    first = sign_up(client, vinyl, "Ana@Example.org")
    assert first.status_code == 200
    assert "You are on the list: we will mail you once" in first.get_data(as_text=True)
    again = sign_up(client, vinyl, " ana+drop@example.org ")
    assert again.status_code == 200
    assert "You are on the list already" in again.get_data(as_text=True)
    entries = db.session.scalars(select(WaitlistEntry)).all()
    assert [(e.product_id, e.option_id, e.email_key, e.locale) for e in entries] == [
        (vinyl.id, None, "ana@example.org", "en")
    ]


def test_a_fan_mailed_before_may_join_again_at_the_back(client, make_product):
    vinyl = make_product(stock=0)
    wait(vinyl, "ana@example.org", "bea@example.org")
    notify_waiting(db.session, product_id=vinyl.id, option_id=None, units=1, now=utcnow())
    db.session.commit()
    response = sign_up(client, vinyl, "ana@example.org")
    assert "You are on the list: we will mail you once" in response.get_data(as_text=True)
    notify_waiting(db.session, product_id=vinyl.id, option_id=None, units=2, now=utcnow())
    db.session.commit()
    assert [mail.recipient for mail in waitlist_mails()] == [
        "ana@example.org",
        "bea@example.org",
        "ana@example.org",
    ]


def test_each_size_has_its_own_list(client, make_product):
    shirt = make_product(kind="merch", options={"S": 0, "M": 0})
    small, medium = shirt.options
    assert "Any size" in page_of(client, shirt)
    for option_id in (small.id, medium.id, 0):
        assert sign_up(client, shirt, "ana@example.org", option_id=option_id).status_code == 200
    assert "already" in sign_up(client, shirt, "ana@example.org", option_id=0).get_data(
        as_text=True
    )
    sizes = db.session.scalars(select(WaitlistEntry.option_id)).all()
    assert sorted(sizes, key=lambda size: size or 0) == [None, small.id, medium.id]


def test_a_bad_email_is_422_with_a_message(client, make_product):
    vinyl = make_product(stock=0)
    for email in ("not an email", "", "a@" + "b" * 260 + ".org"):
        response = sign_up(client, vinyl, email)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'class="field-error"' in html
    assert "Please enter a valid email." in sign_up(client, vinyl, "nope").get_data(as_text=True)
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) == 0


def test_bad_products_and_sizes_are_refused_with_a_message(client, make_product, make_release):
    vinyl = make_product(stock=0)
    other = make_product(kind="merch", options={"S": 0})
    token = csrf_token_from(page_of(client, vinyl))
    for product_id, option_id, status in (
        ("abc", None, 422),
        ("99999999999999999999", None, 422),
        (987654, None, 404),
        (vinyl.id, other.options[0].id, 422),  # not one of this product's sizes
        (vinyl.id, "x", 422),
    ):
        data = {"csrf_token": token, "product_id": product_id, "email": "ana@example.org"}
        if option_id is not None:
            data["option_id"] = option_id
        response = client.post("/waitlist", data=data)
        assert response.status_code == status, (product_id, option_id)
    digital = make_product(kind="digital")
    response = sign_up(client, digital, "ana@example.org", token=token)
    assert response.status_code == 404
    assert "This product has no waitlist." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) == 0


def test_a_sign_up_without_its_csrf_token_is_refused(client, make_product):
    vinyl = make_product(stock=0)
    response = client.post("/waitlist", data={"product_id": vinyl.id, "email": "ana@example.org"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) == 0


def test_sign_ups_are_rate_limited(app, client, make_product, monkeypatch):
    monkeypatch.setitem(app.config, "WAITLIST_SIGNUP_RATE_LIMIT", "2 per hour")
    vinyl = make_product(stock=0)
    token = csrf_token_from(page_of(client, vinyl))
    statuses = [
        sign_up(client, vinyl, f"fan{n}@example.org", token=token).status_code for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) == 2


# --- units coming back ---------------------------------------------------------------


def test_an_expired_reservation_mails_the_first_waiting_fan_only(app, client, make_product):
    vinyl = make_product(stock=1)
    reference = reserve(app, vinyl)
    wait(vinyl, "first@example.org", "second@example.org", "third@example.org")
    end_reservation_in(reference, timedelta(minutes=-1))
    assert expire_due_orders(db.session, now=utcnow()) == 1
    mails = waitlist_mails()
    assert [mail.recipient for mail in mails] == ["first@example.org"]
    assert f"http://localhost/releases/{vinyl.release.slug}" in mails[0].body
    assert "is back in stock" in mails[0].body and vinyl.name in mails[0].subject
    assert mails[0].body.rstrip().endswith(f"— {app.config['LABEL_NAME']}")
    assert expire_due_orders(db.session, now=utcnow()) == 0
    assert len(waitlist_mails()) == 1
    # A restock of two: the next two, then nobody is left to mail.
    put_back(
        db.session, fresh(vinyl), option_id=None, quantity=5, reason=StockReason.RESTOCK,
        actor="label@example.org", now=utcnow(),
    )  # fmt: skip
    db.session.commit()
    assert [mail.recipient for mail in waitlist_mails()] == [
        "first@example.org",
        "second@example.org",
        "third@example.org",
    ]


def test_a_size_coming_back_mails_that_size_and_any_size_not_the_others(app, make_product):
    shirt = make_product(kind="merch", options={"S": 0, "M": 0})
    small, medium = shirt.options
    wait(shirt, "medium@example.org", option_id=medium.id)
    wait(shirt, "any@example.org")
    wait(shirt, "small@example.org", option_id=small.id)
    put_back(
        db.session, fresh(shirt), option_id=small.id, quantity=3, reason=StockReason.RETURN,
        actor="label@example.org", now=utcnow(),
    )  # fmt: skip
    db.session.commit()
    assert sorted(mail.recipient for mail in waitlist_mails()) == [
        "any@example.org",
        "small@example.org",
    ]


def test_the_mail_is_in_the_fans_language(app, make_product):
    vinyl = make_product(stock=0)
    join_waitlist(
        db.session, product_id=vinyl.id, option_id=None, email="ana@example.org",
        locale="fr", now=utcnow(),
    )  # fmt: skip
    entry = db.session.scalar(select(WaitlistEntry))
    assert entry.locale == "fr"
    rendered = []
    from flask import template_rendered

    def seen(sender, template, context, **extra):
        from flask_babel import get_locale

        rendered.append((template.name, str(get_locale())))

    with template_rendered.connected_to(seen, app):
        notify_waiting(db.session, product_id=vinyl.id, option_id=None, units=1, now=utcnow())
    db.session.commit()
    assert rendered == [("mail/waitlist_back.txt", "fr")]


def test_concurrent_releases_never_mail_a_fan_twice(app, live_server, make_product):
    """Four fans cancel their checkouts at the same instant, two of size S and two of M:
    four units come back in four requests at once (sizes have their own stock rows, so
    nothing else serialises them) while six fans wait for any size: the four oldest are
    mailed, once each."""
    shirt = make_product(kind="merch", options={"S": 2, "M": 2})
    small, medium = shirt.options
    fans = [Fan(live_server) for _ in range(4)]
    references = []
    for fan, option in zip(fans, (small, medium, small, medium), strict=True):
        token = fan.token(f"/releases/{shirt.release.slug}")
        form = {"csrf_token": token, "product_id": shirt.id, "option_id": option.id, "quantity": 1}
        assert fan.request("/cart/add", form).status == 302
        assert fan.checkout(fan.checkout_form()) == "reserved"
        references.append(fan.payment_page.rsplit("/", 1)[-1])
    waiting = [f"fan{n}@example.org" for n in range(6)]
    wait(shirt, *waiting)
    tokens = [fan.token(f"/orders/{ref}") for fan, ref in zip(fans, references, strict=True)]
    start = threading.Barrier(len(fans))

    def cancel(index: int) -> int:
        start.wait()
        path = f"/orders/{references[index]}/cancel"
        return fans[index].request(path, {"csrf_token": tokens[index]}).status

    with ThreadPoolExecutor(max_workers=len(fans)) as pool:
        assert list(pool.map(cancel, range(len(fans)))) == [302] * 4
    db.session.expire_all()
    assert (fresh(small).stock, fresh(medium).stock) == (2, 2)
    assert sorted(mail.recipient for mail in waitlist_mails()) == waiting[:4]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    waiting=st.integers(min_value=0, max_value=6),
    returns=st.lists(st.integers(min_value=1, max_value=4), max_size=5),
)
def test_units_back_mail_as_many_fans_as_units_oldest_first_each_once(
    make_product, waiting, returns
):
    db.session.execute(delete(OutboxMessage))
    db.session.execute(delete(WaitlistEntry))
    db.session.commit()
    vinyl = make_product(stock=0)
    emails = [f"fan{n}@example.org" for n in range(waiting)]
    wait(vinyl, *emails)
    for units in returns:
        notify_waiting(db.session, product_id=vinyl.id, option_id=None, units=units, now=utcnow())
        db.session.commit()
    assert [mail.recipient for mail in waitlist_mails()] == emails[: min(waiting, sum(returns))]
