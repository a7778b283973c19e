"""Editions on fan pages: the seed at checkout, copies on the order page and in the mail
(sealed until shipped), inserts, the run on the release page, the public draw page."""

import re
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from storefront.clock import utcnow
from storefront.editions import draw
from storefront.editions.models import DrawLogEntry
from storefront.editions.services import close_edition, copies_of_order, order_hash
from storefront.extensions import db
from storefront.inserts.models import InsertPool
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order
from storefront.orders.services import mark_shipped
from tests.conftest import fresh, order_by_reference
from tests.support.campaigns import preorder
from tests.support.shop import ADDRESS, add_to_cart, checkout, pay_test, reference_of

SEED_LABEL = "Your seed for the limited-edition draw"
SEALED = "Sealed: your cover is revealed when your parcel ships"
LABEL = re.compile(r"No\. (\d+)/(\d+) — (standard|silver|gold)")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def log_entries(edition) -> list[DrawLogEntry]:
    db.session.expire_all()
    return db.session.scalars(
        select(DrawLogEntry)
        .where(DrawLogEntry.edition_id == edition.id)
        .order_by(DrawLogEntry.sequence)
    ).all()


# ---- checkout: the fan's seed ----


def test_checkout_asks_for_a_seed_only_for_an_edition(client, make_edition, make_product):
    vinyl = make_product()
    add_to_cart(client, vinyl)
    html = page(client, "/checkout")
    assert SEED_LABEL not in html and "seed.js" not in html

    edition = make_edition()
    add_to_cart(client, edition.product)
    html = page(client, "/checkout")
    assert SEED_LABEL in html
    assert "It makes the draw provably fair: see the edition page." in html
    assert f'href="/editions/{edition.id}"' in html
    assert 'id="client_seed"' in html and "data-seed" in html and 'maxlength="64"' in html
    assert '<script src="/static/js/seed.js" defer></script>' in html
    assert "<script>" not in html, "no inline script (CSP script-src 'self')"


def test_the_fans_seed_is_kept_and_drawn_with(client, make_edition):
    edition = make_edition()
    add_to_cart(client, edition.product)
    reference = reference_of(checkout(client, client_seed="  Grain-de_sable42 "))
    order = order_by_reference(reference)
    assert (order.client_seed, order.client_seed_by_server) == ("Grain-de_sable42", False)
    pay_test(client, reference)
    [entry] = log_entries(edition)
    assert (entry.client_seed, entry.seed_made_by_server) == ("Grain-de_sable42", False)
    assert "made by the shop" not in page(client, f"/editions/{edition.id}")


def test_without_script_and_seed_the_server_makes_one_and_says_so(client, make_edition):
    edition = make_edition()
    add_to_cart(client, edition.product)
    reference = reference_of(checkout(client, client_seed=""))
    order = order_by_reference(reference)
    assert order.client_seed and order.client_seed_by_server is True
    pay_test(client, reference)
    [entry] = log_entries(edition)
    assert entry.seed_made_by_server is True and entry.client_seed == order.client_seed
    html = page(client, f"/editions/{edition.id}")
    assert 'class="log-draw seed-by-server"' in html
    assert '<span class="tag server-seed">made by the shop</span>' in html
    assert f"Your seed for the draw: {order.client_seed} (made by the shop)" in page(
        client, f"/orders/{reference}"
    )


def test_a_bad_seed_is_refused_with_a_message_and_nothing_is_lost(client, make_edition):
    edition = make_edition()
    add_to_cart(client, edition.product, quantity=2)
    for bad in ("deux mots", "graine-é", "x" * 65, "semé;drop"):
        response = checkout(client, email="camille@example.org", client_seed=bad)
        assert response.status_code == 422, bad
        html = response.get_data(as_text=True)
        assert "Letters, digits, - and _ only, at most 64 characters" in html
        assert 'value="camille@example.org"' in html
        assert f'value="{ADDRESS["line1"]}"' in html
    assert db.session.scalar(select(Order.id)) is None, "no order was opened"
    assert "\N{MULTIPLICATION SIGN} 2" in page(client, "/checkout"), "the cart is intact"
    assert checkout(client, client_seed="x" * 64).status_code == 302


def test_a_seed_posted_without_an_edition_is_ignored(client, make_product):
    vinyl = make_product()
    add_to_cart(client, vinyl)
    reference = reference_of(checkout(client, client_seed="not checked here!"))
    assert order_by_reference(reference).client_seed_by_server is True


# ---- the order page and the mail ----


def test_order_page_shows_the_copy_at_once(client, make_edition):
    edition = make_edition()
    order = preorder(edition.product, quantity=2)
    html = page(client, f"/orders/{order.reference}")
    labels = [copy.label for copy in copies_of_order(db.session, order)]
    assert len(LABEL.findall(html)) == 2
    for label in labels:
        assert f'<li class="copy-label">{label}</li>' in html
    assert SEALED not in html
    assert f'href="/editions/{edition.id}"' in html
    assert order_hash(order.reference) in html


def test_a_sealed_copy_is_revealed_once_shipped(client, make_edition):
    edition = make_edition(reveal_mode="sealed")
    order = preorder(edition.product)
    [copy] = copies_of_order(db.session, order)
    html = page(client, f"/orders/{order.reference}")
    assert SEALED in html
    assert not LABEL.search(html), "no copy number before shipping"
    mark_shipped(db.session, fresh(order), now=utcnow())
    html = page(client, f"/orders/{order.reference}")
    assert copy.label in html and SEALED not in html


def test_a_pending_order_says_when_its_copy_is_drawn(client, make_edition):
    edition = make_edition()
    add_to_cart(client, edition.product)
    reference = reference_of(checkout(client))
    html = page(client, f"/orders/{reference}")
    assert "Your numbered copy is drawn when your payment arrives." in html
    assert not LABEL.search(html)


def add_pool(edition, name: str, *, at_once: bool) -> None:
    """A pool with an insert for every copy (one per block of one)."""
    db.session.add(
        InsertPool(edition_id=edition.id, name=name, count=edition.size, reveal_at_once=at_once)
    )
    db.session.commit()


def test_inserts_show_at_once_or_only_once_shipped(client, make_edition):
    edition = make_edition(variants=(("standard", 3),))
    add_pool(edition, "a studio notebook", at_once=True)
    add_pool(edition, "a test pressing", at_once=False)
    order = preorder(edition.product)
    html = page(client, f"/orders/{order.reference}")
    assert "In your parcel too: a studio notebook!" in html
    assert "a test pressing" not in html
    mark_shipped(db.session, fresh(order), now=utcnow())
    html = page(client, f"/orders/{order.reference}")
    assert "In your parcel too: a test pressing!" in html


def confirmation(order) -> str:
    db.session.expire_all()
    return db.session.scalar(
        select(OutboxMessage.body).where(
            OutboxMessage.kind == "order_confirmation", OutboxMessage.recipient == order.email
        )
    )


def test_the_confirmation_mail_follows_the_same_rule(make_edition):
    shown = make_edition()
    add_pool(shown, "a studio notebook", at_once=True)
    order = preorder(shown.product, email="open@example.org")
    [copy] = copies_of_order(db.session, order)
    body = confirmation(order)
    assert f"- {copy.label}\n" in body
    assert "In your parcel too: a studio notebook!" in body
    assert f"http://localhost/editions/{shown.id}" in body

    sealed = make_edition(reveal_mode="sealed")
    body = confirmation(preorder(sealed.product, email="sealed@example.org"))
    assert SEALED in body and not LABEL.search(body)


# ---- release page and the public draw page ----


def test_release_page_shows_the_run_and_the_copies_left(client, make_edition):
    edition = make_edition()
    slug = edition.product.release.slug
    html = page(client, f"/releases/{slug}")
    assert "Limited edition of 8 — standard 5 / silver 2 / gold 1" in html
    assert "Copies left: standard 5 / silver 2 / gold 1 — the odds are never hidden" in html
    assert f'href="/editions/{edition.id}"' in html
    order = preorder(edition.product, quantity=3)
    drawn = Counter(copy.variant.name for copy in copies_of_order(db.session, order))
    counts = {"standard": 5, "silver": 2, "gold": 1}
    expected = " / ".join(f"{name} {count - drawn[name]}" for name, count in counts.items())
    assert f"Copies left: {expected} — " in page(client, f"/releases/{slug}")


def test_a_product_without_edition_says_nothing_of_editions(client, make_product):
    vinyl = make_product()
    html = page(client, f"/releases/{vinyl.release.slug}")
    assert "Limited edition" not in html and "/editions/" not in html


def test_the_draw_page_explains_the_replay_and_shows_the_log(client, make_edition):
    edition = make_edition()
    order = preorder(edition.product, quantity=2)
    html = page(client, f"/editions/{edition.id}")
    assert edition.commitment in html
    assert edition.server_seed.hex() not in html
    assert "Secret until the edition closes or sells out" in html
    assert 'HMAC-SHA256(key=server_seed, msg=f"{client_seed}:{k}")' in html
    url = f"http://localhost/api/v1/editions/{edition.id}/fairness"
    assert f"python -m storefront.editions.verify {url}" in html
    assert f"<code>python verify.py {url}</code>" in html
    assert 'href="/editions/verify.py" download="verify.py"' in html
    assert html.count('<tr class="log-draw') == 2
    assert html.count(f"<code>{order_hash(order.reference)}</code>") == 2

    close_edition(db.session, fresh(edition), now=utcnow())
    html = page(client, f"/editions/{edition.id}")
    assert edition.server_seed.hex() in html
    assert "The edition is closed" in html


def test_the_verifier_is_served_as_the_draw_module_itself(client):
    response = client.get("/editions/verify.py")
    assert response.status_code == 200
    assert response.data == Path(draw.__file__).read_bytes(), "one draw: the shop's own"
    assert response.headers["Content-Type"] == "text/x-python; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=verify.py"
    assert response.cache_control.public and response.cache_control.max_age == 3600
    assert "Set-Cookie" not in response.headers
    again = client.get("/editions/verify.py", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_an_unknown_edition_is_a_404_page(client):
    for url in ("/editions/4242", "/editions/99999999999999999999999", "/editions/abc"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "<html" in response.get_data(as_text=True)
