"""The label's admin: signing in, who may do what, editing the catalog, reading orders."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.accounts.models import User
from storefront.admin import order_views
from storefront.catalog.models import Product, Release
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.orders.models import Order, OrderLine, Refund
from tests.conftest import fresh
from tests.support.staff import PASSWORD, log_in, make_user, send


def release_data(**fields) -> dict:
    return {
        "title": "Grains de Sable",
        "artist": "Duo Granulaire",
        "slug": "grains-de-sable",
        "release_date": "2025-03-14",
        "description": "Field recordings.",
        "credits": "Mastered in Lyon",
        "published": "y",
        **fields,
    }


def product_data(product: Product | None = None, **fields) -> dict:
    """What the product form holds, as shown for `product` (or for a new vinyl)."""
    data = {"kind": "vinyl", "name": '12" vinyl', "price": "24,00", "stock": "10", "active": "y"}
    data["weight_class"] = "auto"
    if product is not None:
        data |= {"kind": product.kind, "name": product.name, "stock": str(product.stock or "")}
        data |= {"stock_seen": str(product.stock if product.stock is not None else "")}
        data["options_seen"] = ", ".join(f"{o.label}:{o.stock}" for o in product.options)
        data["options"] = data["options_seen"]
    return {key: value for key, value in {**data, **fields}.items() if value is not None}


# --- signing in and out -------------------------------------------------------------------


def test_login_with_the_right_password_opens_the_admin(client):
    make_user()
    response = log_in(client, "ADMIN@bruitblanc.example ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/releases").status_code == 200


@pytest.mark.parametrize(
    ("next_page", "landing"),
    [
        ("/admin/orders?status=paid", "/admin/orders?status=paid"),
        ("https://evil.example/admin", "/admin/"),
        ("//evil.example/admin", "/admin/"),
        ("/\\evil.example", "/admin/"),
    ],
)
def test_login_only_follows_a_next_page_on_this_site(client, next_page, landing):
    make_user()
    response = log_in(client, "admin@bruitblanc.example", next=next_page)
    assert response.headers["Location"] == landing


@pytest.mark.parametrize(
    ("email", "password"),
    [("admin@bruitblanc.example", "wrong-password"), ("nobody@bruitblanc.example", PASSWORD)],
)
def test_a_failed_login_says_the_same_thing_whatever_was_wrong(client, email, password):
    make_user()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = log_in(client, email, password)
    assert response.status_code == 422
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert email in response.get_data(as_text=True)  # the email stays typed in
    assert client.get("/admin/releases").status_code == 302


def test_a_disabled_account_cannot_sign_in(client):
    make_user(active=False)
    assert log_in(client, "admin@bruitblanc.example").status_code == 422


def test_guessing_passwords_is_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    make_user()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(3):
        assert log_in(client, "admin@bruitblanc.example", "guess").status_code == 422
    blocked = log_in(client, "admin@bruitblanc.example")  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many attempts, wait a minute" in blocked.get_data(as_text=True)
    assert client.get("/admin/login").status_code == 200  # showing the form is not limited


def test_logout_is_a_post_with_a_csrf_token(admin):
    assert admin.get("/admin/logout").status_code == 405
    assert admin.post("/admin/logout").status_code == 400
    response = send(admin, "/admin/logout", {}, page="/admin/releases")
    assert response.headers["Location"] == "/admin/login"
    assert admin.get("/admin/releases").status_code == 302


# --- who may do what ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/releases", "/admin/orders", "/admin/releases/new"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


def test_anonymous_posts_change_nothing(client):
    response = send(client, "/admin/releases/new", release_data(), page="/admin/login")
    assert response.headers["Location"].startswith("/admin/login")
    assert db.session.scalar(select(Release)) is None


def test_staff_can_read_the_lists_and_orders(staff, make_release):
    make_release(title="Cartographie Lente")
    html = staff.get("/admin/releases").get_data(as_text=True)
    assert "Cartographie Lente" in html
    assert "New release" not in html
    assert staff.get("/admin/orders").status_code == 200


def test_staff_read_the_catalog_pages_without_their_forms(staff, make_product):
    vinyl = make_product(stock=10)
    track = vinyl.release.tracks[0]
    listing = staff.get("/admin/releases").get_data(as_text=True)
    assert f'href="/admin/releases/{vinyl.release_id}"' in listing
    pages = {
        f"/admin/releases/{vinyl.release_id}": vinyl.release.title,
        f"/admin/products/{vinyl.id}": "Stock (units)",
        f"/admin/tracks/{track.id}": track.title,
    }
    for url, shown in pages.items():
        response = staff.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert shown in html
        assert 'class="read-only" disabled' in html, "the details are shown, not editable"
        assert "Save the" not in html
    release_page = staff.get(f"/admin/releases/{vinyl.release_id}").get_data(as_text=True)
    for offer in ("Add the track", "Add a product", "New campaign", "Remove", ">Edit<"):
        assert offer not in release_page, offer
    assert f'href="/admin/tracks/{track.id}">View</a>' in release_page


def test_staff_cannot_edit_the_catalog(staff, make_product):
    vinyl = make_product(stock=10)
    track = vinyl.release.tracks[0]
    response = staff.get("/admin/releases/new")
    assert response.status_code == 403
    assert "only an admin can change the catalog" in response.get_data(as_text=True)
    page = "/admin/releases"
    writes = {
        f"/admin/releases/{vinyl.release_id}": release_data(title="Renamed"),
        f"/admin/products/{vinyl.id}": product_data(vinyl, stock="99"),
        f"/admin/tracks/{track.id}": {"position": "1", "title": "Renamed", "duration": "4:05"},
        f"/admin/releases/{vinyl.release_id}/tracks": {"position": "3", "title": "New"},
        f"/admin/tracks/{track.id}/delete": {},
    }
    for url, data in writes.items():
        assert send(staff, url, data, page=page).status_code == 403, url
    assert fresh(vinyl).stock == 10
    assert fresh(vinyl.release).title != "Renamed"
    assert [t.title for t in fresh(vinyl.release).tracks] == ["Sable fin", "Dune lente"]


# --- releases -------------------------------------------------------------------------


def test_admin_creates_a_release_and_sees_it_listed(admin, make_product):
    response = send(admin, "/admin/releases/new", release_data())
    assert response.status_code == 302
    release = db.session.scalar(select(Release).where(Release.slug == "grains-de-sable"))
    assert (release.title, release.published, str(release.release_date)) == (
        "Grains de Sable",
        True,
        "2025-03-14",
    )
    make_product(release=release)
    html = admin.get("/admin/releases").get_data(as_text=True)
    assert "Grains de Sable" in html and "Duo Granulaire" in html
    assert '<td class="num">1</td>' in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slug": "Grains de Sable!"}, "Use only lowercase letters, digits and hyphens"),
        ({"slug": "taken"}, "Another release already uses the address"),
        ({"release_date": "14/03/2025"}, "Write the date as YYYY-MM-DD"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_a_refused_release_comes_back_filled_in(admin, make_release, fields, message):
    make_release(slug="taken")
    response = send(admin, "/admin/releases/new", release_data(artist="Nouvel Artiste", **fields))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="Nouvel Artiste"' in html
    assert db.session.scalar(select(Release).where(Release.artist == "Nouvel Artiste")) is None


def test_editing_a_release_keeps_its_own_slug_and_can_unpublish_it(admin, make_release):
    release = make_release(slug="dune")
    data = release_data(slug="dune", title="Dune (remaster)", published=None)
    data.pop("published")
    response = send(admin, f"/admin/releases/{release.id}", data)
    assert response.status_code == 302
    assert (fresh(release).title, fresh(release).published) == ("Dune (remaster)", False)
    assert admin.get("/releases/dune").status_code == 404


# --- tracks ---------------------------------------------------------------------------


def track_data(**fields) -> dict:
    data = {"position": "3", "title": "Sillon ouvert", "duration": "4:05", **fields}
    return {f"track-{key}": value for key, value in data.items()}


@pytest.mark.parametrize(("typed", "seconds"), [("4:05", 245), ("12:00", 720), ("1:02:03", 3723)])
def test_a_track_duration_is_typed_as_minutes_and_seconds(admin, make_release, typed, seconds):
    release = make_release()
    url = f"/admin/releases/{release.id}/tracks"
    page = f"/admin/releases/{release.id}"
    response = send(admin, url, track_data(duration=typed), page=page, prefix="track-")
    assert response.status_code == 302
    assert [t.duration_seconds for t in fresh(release).tracks][-1] == seconds


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration": "4.05"}, "Write the duration as minutes:seconds"),
        ({"duration": "4:75"}, "Write the duration as minutes:seconds"),
        ({"position": "1"}, "Another track of this release is already number 1"),
        ({"position": "x"}, "Not a valid integer value"),
    ],
)
def test_a_refused_track_comes_back_filled_in(admin, make_release, fields, message):
    release = make_release()
    url, page = f"/admin/releases/{release.id}/tracks", f"/admin/releases/{release.id}"
    response = send(admin, url, track_data(**fields), page=page, prefix="track-")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="Sillon ouvert"' in html
    assert len(fresh(release).tracks) == 2


def test_a_track_is_edited_and_removed(admin, make_release):
    release = make_release()
    first, second = release.tracks
    data = {"position": "1", "title": "Sable très fin", "duration": "4:10", "streaming_full": "y"}
    form = {f"track-{key}": value for key, value in data.items()}
    assert send(admin, f"/admin/tracks/{first.id}", form, prefix="track-").status_code == 302
    assert (fresh(first).title, fresh(first).duration_seconds) == ("Sable très fin", 250)
    assert fresh(first).streaming_full is True
    page = f"/admin/releases/{release.id}"
    assert send(admin, f"/admin/tracks/{second.id}/delete", {}, page=page).status_code == 302
    assert [track.title for track in fresh(release).tracks] == ["Sable très fin"]


# --- orders ---------------------------------------------------------------------------


def make_order(reference: str, status: str = "paid", *, lines=(), minutes_ago: int = 0) -> Order:
    order = Order(
        reference=reference,
        status=status,
        email=f"{reference.lower()}@example.org",
        subtotal_cents=2400,
        shipping_cents=690,
        total_cents=3090,
        provider="test",
        ship_name="Camille Fan",
        ship_line1="3 rue du Sillon",
        ship_postal_code="69001",
        ship_city="Lyon",
        ship_country="FR",
        created_at=utcnow() - timedelta(minutes=minutes_ago),
        reserved_until=utcnow() + timedelta(minutes=30),
    )
    order.lines = [
        OrderLine(
            product=product,
            option_id=option_id,
            description=product.name,
            kind=product.kind,
            unit_price_cents=2400,
            quantity=1,
        )
        for product, option_id in lines
    ]
    db.session.add(order)
    db.session.commit()
    return order


def test_the_order_list_shows_orders_and_filters_by_status(staff):
    make_order("BB-PAID1", "paid")
    make_order("BB-WAIT1", "pending")
    html = staff.get("/admin/orders").get_data(as_text=True)
    assert "BB-PAID1" in html and "BB-WAIT1" in html
    assert "bb-paid1@example.org" in html and "€30.90" in html
    paid = staff.get("/admin/orders?status=paid").get_data(as_text=True)
    assert "BB-PAID1" in paid and "BB-WAIT1" not in paid
    unknown = staff.get("/admin/orders?status=lost").get_data(as_text=True)
    assert "There is no status" in unknown and "BB-WAIT1" in unknown


def test_the_order_list_is_paginated_newest_first(staff, monkeypatch):
    monkeypatch.setattr(order_views, "PER_PAGE", 2)
    for n in range(3):
        make_order(f"BB-{n}", minutes_ago=n)
    first = staff.get("/admin/orders").get_data(as_text=True)
    assert first.index("BB-0") < first.index("BB-1") and "BB-2" not in first
    assert "BB-2" in staff.get("/admin/orders?page=2").get_data(as_text=True)
    assert staff.get("/admin/orders?page=abc").status_code == 200


def test_an_order_page_shows_lines_address_and_refunds(staff, make_product):
    vinyl = make_product(name="Vinyle 12 pouces")
    order = make_order("BB-REF1", "refunded", lines=[(vinyl, None)])
    order.refunds = [Refund(amount_cents=3090, reason="Damaged sleeve")]
    db.session.commit()
    html = staff.get("/admin/orders/BB-REF1").get_data(as_text=True)
    for text in ("Vinyle 12 pouces", "3 rue du Sillon", "69001 Lyon", "Damaged sleeve", "€30.90"):
        assert text in html
    assert staff.get("/admin/orders/NOPE").status_code == 404


# --- the create-admin command ---------------------------------------------------------


def create_admin(app, *args: str, password: str = "a-long-password"):
    runner = app.test_cli_runner()
    command = ["users", "create-admin", *args, "--password-stdin"]
    return runner.invoke(args=command, input=f"{password}\n")


def test_create_admin_reads_the_password_from_stdin(app, client):
    result = create_admin(app, "Boss@BruitBlanc.example")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@bruitblanc.example"))
    assert user.role == "admin" and user.password_hash.startswith("scrypt:")
    assert log_in(client, "boss@bruitblanc.example", "a-long-password").status_code == 302


def test_create_admin_can_make_a_staff_account(app):
    assert create_admin(app, "desk@bruitblanc.example", "--role", "staff").exit_code == 0
    assert db.session.scalar(select(User.role)) == "staff"


def test_create_admin_refuses_a_duplicate_and_a_short_password(app):
    make_user()
    duplicate = create_admin(app, "admin@bruitblanc.example")
    assert duplicate.exit_code == 1 and "already has an account" in duplicate.output
    short = create_admin(app, "new@bruitblanc.example", password="short")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    assert db.session.scalar(select(User).where(User.email == "new@bruitblanc.example")) is None


def test_the_menu_marks_the_pages_section_and_offers_only_what_the_account_may_open(admin, client):

    def menu(page: str) -> tuple[list[str], list[str]]:
        nav = page[page.index('class="admin-nav"') : page.index('class="admin-user"')]
        return re.findall(r">([^<]+)</a>", nav), re.findall(r'aria-current="page">([^<]+)<', nav)

    labels, current = menu(admin.get("/admin/tours").get_data(as_text=True))
    assert labels == [
        "Dashboard", "Weekly ritual", "Orders", "Fulfilment", "Stock", "Releases", "Campaigns",
        "Editions", "Tour", "Fans", "Members", "Posts", "Newsletter", "Budgets", "Audit log",
    ]  # fmt: skip
    assert current == ["Tour"]
    assert menu(admin.get("/admin/fans").get_data(as_text=True))[1] == ["Fans"]
    assert menu(admin.get("/admin/tiers/liner-notes").get_data(as_text=True))[1] == ["Members"]


def test_staff_menus_leave_out_the_admins_sections(staff):
    page = staff.get("/admin/orders").get_data(as_text=True)
    nav = page[page.index('class="admin-nav"') : page.index('class="admin-user"')]
    labels = re.findall(r">([^<]+)</a>", nav)
    assert labels == ["Orders", "Fulfilment", "Stock", "Releases", "Campaigns", "Editions", "Tour",
                      "Fans"]  # fmt: skip
