"""The passport: saved by email (and joined across phones), badge codes that really take
their percentage off in the cart, once; a light claim page; limits that say "wait"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storefront.clock import utcnow
from storefront.discounts.models import DiscountCode
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order
from storefront.orders.services import expire_due_orders
from storefront.quests.models import Badge, BadgeGrant, BadgeReward, Passport, Stamp
from tests.conftest import csrf_token_from, fresh
from tests.support.quests import poster_url
from tests.support.shop import ADDRESS, add_to_cart, checkout, pay_test, reference_of


@pytest.fixture
def ten_percent_after_one_city():
    badge = Badge(name="Première ville", cities=1, reward=BadgeReward.DISCOUNT, discount_percent=10)
    db.session.add(badge)
    db.session.commit()
    return badge


def earned_code(app, client, quest) -> str:
    page = client.get(poster_url(app, quest)).get_data(as_text=True)
    return re.search(r'<code class="discount-code">([A-Z0-9-]+)</code>', page).group(1)


def apply_code(client, code: str):
    token = csrf_token_from(client.get("/cart").get_data(as_text=True))
    return client.post("/cart/code", data={"csrf_token": token, "code": code, "apply": "1"})


def test_a_badge_code_takes_its_percentage_off_every_line_once(
    app, client, make_quest, make_product, ten_percent_after_one_city
):
    code = earned_code(app, client, make_quest())
    vinyl = make_product(price_cents=2399)
    add_to_cart(client, vinyl, quantity=2)
    # Typed as people type it: lower case, no dash, spaces.
    assert apply_code(client, f" {code.replace('-', '').lower()} ").status_code == 302
    cart = client.get("/cart").get_data(as_text=True)
    minus = "\u2212"  # as prices print it
    assert f"Code {code} ({minus}10 %)" in cart
    assert f"{minus}€4.79" in cart  # 10 % of 47.98, rounded down
    reference = reference_of(checkout(client))
    order = db.session.scalar(select(Order).where(Order.reference == reference))
    assert (order.subtotal_cents, order.discount_cents) == (4798, 479)
    assert order.total_cents == 4798 - 479 + order.shipping_cents
    assert [line.total_cents for line in order.lines] == [4319]
    pay_test(client, reference)
    # Once used, the code is refused in any cart.
    add_to_cart(client, vinyl)
    refused = apply_code(client, code)
    assert refused.status_code == 422
    assert "already been used" in refused.get_data(as_text=True)


def test_a_code_held_by_an_order_that_lapses_can_be_used_again(
    app, client, make_quest, make_product, ten_percent_after_one_city
):
    code = earned_code(app, client, make_quest())
    add_to_cart(client, make_product())
    apply_code(client, code)
    reference_of(checkout(client))
    assert db.session.scalar(select(DiscountCode.uses)) == 1
    db.session.execute(update(Order).values(reserved_until=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expire_due_orders(db.session, now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(DiscountCode.uses)) == 0
    add_to_cart(client, make_product())
    assert apply_code(client, code).status_code == 302


def test_two_carts_holding_one_code_only_one_checkout_gets_it(
    app, client, make_quest, make_product, ten_percent_after_one_city
):
    code = earned_code(app, client, make_quest())
    vinyl = make_product()
    other = app.test_client()
    for fan in (client, other):
        add_to_cart(fan, vinyl)
        assert apply_code(fan, code).status_code == 302
    # The friend has the checkout page open, with the code, when the first fan pays.
    form = csrf_token_from(other.get("/checkout").get_data(as_text=True))
    reference_of(checkout(client))
    second = other.post("/checkout", data={"csrf_token": form, "email": "b@ex.org", **ADDRESS})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "already been used" in page and f"Code {code}" not in page
    assert db.session.query(Order).count() == 1
    # Confirmed again, at the price now shown: the full one.
    third = checkout(other, email="b@ex.org")
    order = db.session.scalar(select(Order).where(Order.reference == reference_of(third)))
    assert order.discount_cents == 0 and order.total_cents == 2400 + order.shipping_cents


def test_an_unknown_code_says_so_and_changes_nothing(client, make_product):
    add_to_cart(client, make_product())
    response = apply_code(client, "ZZZZ-ZZZZ")
    assert response.status_code == 422
    assert "This code is not valid" in response.get_data(as_text=True)


def test_saving_by_email_then_joining_from_another_phone(app, make_gig, make_quest):
    lyon, geneve = make_quest(make_gig("Lyon")), make_quest(make_gig("Genève"))
    first, second = app.test_client(), app.test_client()
    first.get(poster_url(app, lyon))
    second.get(poster_url(app, lyon))  # the same fan, their other phone
    second.get(poster_url(app, geneve))
    for phone in (first, second):
        token = csrf_token_from(phone.get("/passport").get_data(as_text=True))
        sent = phone.post("/passport/save", data={"csrf_token": token, "email": "Camille@Ex.org"})
        assert sent.status_code == 302
        mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert mail.recipient == "camille@ex.org"
        link = re.search(r"http://localhost(/passport/save/\S+)", mail.body).group(1)
        assert phone.get(link).status_code == 302
    # One passport under the email, both phones showing it; one stamp for Lyon.
    assert db.session.scalar(select(Passport).where(Passport.email == "camille@ex.org"))
    for phone in (first, second):
        page = phone.get("/passport").get_data(as_text=True)
        assert "2 cities so far." in page and "Saved under camille@ex.org" in page
    assert db.session.query(Stamp).filter_by(quest_id=lyon.id).count() == 1
    assert fresh(lyon).stamps_given == 1


def test_a_tampered_save_link_saves_nothing(app, client, make_quest):
    client.get(poster_url(app, make_quest()))
    page = client.get("/passport/save/WyJhYmMiLCJ4QHkub3JnIl0.bad.sig", follow_redirects=True)
    assert "This link is not valid." in page.get_data(as_text=True)
    assert db.session.scalar(select(Passport.email)) is None


def test_a_badge_file_downloads_for_its_fan_only(app, client, make_quest):
    (app.config["PRIVATE_DIR"] / "rewards").mkdir(exist_ok=True)
    (app.config["PRIVATE_DIR"] / "rewards" / "bonus.ogg").write_bytes(b"OggS bonus")
    db.session.add(
        Badge(
            name="Première ville",
            cities=1,
            reward=BadgeReward.FILE,
            reward_title="Bonus",
            reward_file="rewards/bonus.ogg",
        )
    )
    db.session.commit()
    page = client.get(poster_url(app, make_quest())).get_data(as_text=True)
    link = re.search(r'href="(/passport/badges/[^"]+)"', page).group(1)
    with client.get(link) as response:
        assert response.data == b"OggS bonus"
    assert client.get(link[:-3] + "abc").status_code == 404
    assert db.session.query(BadgeGrant).count() == 1


def test_the_claim_page_is_light_and_asks_no_third_party(app, client, make_quest):
    page = client.get(poster_url(app, make_quest())).get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    total = len(page.encode())
    for asset in assets:
        with client.get(asset) as response:
            total += len(response.data)
    assert total < 50 * 1024, total
    assert not re.search(r'(?:href|src)="(?:https?:)?//', page), "no third-party request"
    assert 'class="button big"' in page  # a large tap target to the passport


def test_a_fan_scanning_too_fast_is_asked_to_wait(app, client, make_quest, monkeypatch):
    monkeypatch.setitem(app.config, "QUEST_CLAIM_RATE_LIMIT", "3 per minute")
    url = poster_url(app, make_quest())
    for _scan in range(3):
        assert client.get(url).status_code == 200
    limited = client.get(url)
    assert limited.status_code == 429
    assert "Wait a moment, then scan again." in limited.get_data(as_text=True)
    assert limited.headers["Retry-After"] == "60"  # the minute the limit counts


def test_one_code_hammered_from_many_addresses_is_limited(app, make_quest, monkeypatch):
    monkeypatch.setitem(app.config, "QUEST_CODE_RATE_LIMIT", "5 per minute")
    url = poster_url(app, make_quest())
    replies = [
        app.test_client().get(url, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(7)
    ]
    assert replies == [200] * 5 + [429] * 2
