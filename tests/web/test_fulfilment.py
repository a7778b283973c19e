"""Getting paid orders to fans from the admin: parcels of part of an order, the "to ship"
list (tick, type tracking numbers, ship at once), pick lists and packing slips, the
addresses as CSV, the CSV import of tracking numbers (all or nothing) and a campaign's
batch of preorders, refused before its date."""

from __future__ import annotations

import contextlib
import csv
import html
import io
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from storefront.clock import utcnow
from storefront.errors import StorefrontError
from storefront.extensions import db
from storefront.fulfilment import bulk
from storefront.fulfilment.models import Shipment
from storefront.fulfilment.parcels import ship_parcel, shipped_units
from storefront.preorders.models import Campaign
from tests.conftest import csrf_token_from, order_by_reference
from tests.support.campaigns import preorder
from tests.support.fans import CSRF_RE
from tests.support.fulfilment import (
    Admin,
    at_once,
    lines_of,
    order_page,
    paid_cart_order,
    send_parcel,
)
from tests.support.label import history, paid_order, ship
from tests.support.payments import mails

ADMIN, STAFF = "admin@bruitblanc.example", "staff@bruitblanc.example"


@pytest.fixture
def vinyl(make_product):
    return make_product(price_cents=2400, stock=20, name="LP")


@pytest.fixture
def cd(make_product):
    return make_product(kind="cd", price_cents=1200, stock=20, name="CD")


def parcels(reference: str) -> list[Shipment]:
    order = order_by_reference(reference)
    return list(db.session.scalars(select(Shipment).where(Shipment.order_id == order.id)))


def spreadsheet(cell: str) -> str:
    """A cell as a spreadsheet shows it: csvout writes "-x" (a formula start) as "'-x"."""
    return cell[1:] if cell.startswith("'-") else cell


def post(client, url: str, data: dict, *, page: str):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


# --- partial shipments ----------------------------------------------------------------------


def test_a_parcel_of_part_of_the_order_then_the_rest(staff, vinyl, cd):
    reference = paid_cart_order((vinyl, 2), (cd, 1))
    lp, disc = lines_of(reference, vinyl, cd)

    first = send_parcel(staff, reference, {lp.id: 1}, tracking="6A11111111111")

    assert first.status_code == 302
    order = order_by_reference(reference)
    assert order.status == "paid" and order.shipped_at is None
    [parcel] = parcels(reference)
    assert [(line.order_line_id, line.quantity) for line in parcel.lines] == [(lp.id, 1)]
    assert (parcel.carrier, parcel.tracking_number, parcel.actor) == (
        "laposte",
        "6A11111111111",
        STAFF,
    )
    [mail] = mails("order_shipped")
    assert "code=6A11111111111" in mail.body
    actor, kind, *_rest, detail = history(reference)[-2]
    assert (actor, kind) == (STAFF, "parcel") and "rest to follow" in detail
    page = order_page(staff, reference)
    assert "https://www.laposte.fr/outils/suivre-vos-envois?code=6A11111111111" in page
    table = page[page.index('class="admin-table order-history"') :]
    assert f"<td>{STAFF}</td><td>Parcel</td>" in table

    send_parcel(staff, reference, {lp.id: 1, disc.id: 1}, tracking="6A22222222222")

    order = order_by_reference(reference)
    assert order.status == "shipped" and order.tracking_number == "6A22222222222"
    assert len(parcels(reference)) == 2 and len(mails("order_shipped")) == 2
    assert (STAFF, "status", "paid", "shipped") in [row[:4] for row in history(reference)]
    page = order_page(staff, reference)
    assert "code=6A11111111111" in page and "code=6A22222222222" in page


def test_a_parcel_of_more_than_is_left_is_refused_and_records_nothing(staff, vinyl):
    reference = paid_cart_order((vinyl, 2))
    [lp] = lines_of(reference)
    send_parcel(staff, reference, {lp.id: 1})

    response = send_parcel(staff, reference, {lp.id: 2})

    assert response.status_code == 422
    assert "1 unit(s) wait to ship, not 2" in response.get_data(as_text=True)
    assert len(parcels(reference)) == 1 and order_by_reference(reference).status == "paid"
    empty = send_parcel(staff, reference, {lp.id: 0})
    assert empty.status_code == 422 and "at least one unit" in empty.get_data(as_text=True)


def test_the_ship_action_is_one_parcel_with_everything_left(admin, vinyl, cd):
    reference = paid_cart_order((vinyl, 2), (cd, 1))
    lp, disc = lines_of(reference, vinyl, cd)
    send_parcel(admin, reference, {lp.id: 1})

    assert ship(admin, reference, "dhl", "1234567890").status_code == 302

    _first, rest = parcels(reference)
    assert sorted((line.order_line_id, line.quantity) for line in rest.lines) == [
        (lp.id, 1),
        (disc.id, 1),
    ]
    assert rest.carrier == "dhl" and order_by_reference(reference).status == "shipped"


def test_staff_ship_whole_orders_too(staff, vinyl):
    reference = paid_order(vinyl, "test")
    assert 'action="/admin/orders/' + reference + '/ship"' in order_page(staff, reference)
    assert ship(staff, reference).status_code == 302
    assert order_by_reference(reference).status == "shipped"
    assert history(reference)[-2][:4] == (STAFF, "status", "paid", "shipped")


def test_nothing_ships_twice_once_an_order_has_left(admin, vinyl):
    reference = paid_order(vinyl, "test")
    ship(admin, reference)
    [lp] = lines_of(reference)

    response = send_parcel(admin, reference, {lp.id: 1})

    assert response.status_code == 302  # no form left to send: back to the page
    assert len(parcels(reference)) == 1


# --- the "to ship" list -------------------------------------------------------------------


def test_the_list_shows_paid_physical_orders_only(staff, make_product, vinyl):
    waiting = paid_order(vinyl, "test")
    digital = paid_order(make_product(kind="digital", price_cents=900), "test")
    page = staff.get("/admin/fulfilment").get_data(as_text=True)
    assert waiting in page and digital not in page
    assert "Fulfilment" in page[page.index('class="admin-nav"') :]


def test_ticked_orders_ship_at_once_each_with_its_number(staff, vinyl):
    one, two, left = (paid_order(vinyl, "test", email=f"fan{n}@example.org") for n in range(3))
    ids = {ref: order_by_reference(ref).id for ref in (one, two, left)}
    data = {
        "order": [str(ids[one]), str(ids[two])],
        "carrier": "laposte",
        f"tracking-{ids[one]}": "6A11111111111",
        f"tracking-{ids[two]}": "6a 2222-2222 222",
        f"tracking-{ids[left]}": "",
    }

    response = post(staff, "/admin/fulfilment/ship", data, page="/admin/fulfilment")

    assert response.status_code == 302
    assert order_by_reference(one).tracking_number == "6A11111111111"
    assert order_by_reference(two).tracking_number == "6A22222222222"
    assert order_by_reference(left).status == "paid"
    assert len(mails("order_shipped")) == 2
    assert history(one)[-2][:4] == (STAFF, "status", "paid", "shipped")


def test_one_bad_number_ships_none_of_the_ticked_orders(staff, vinyl):
    one, two = paid_order(vinyl, "test"), paid_order(vinyl, "test", email="b@example.org")
    ids = [order_by_reference(ref).id for ref in (one, two)]
    data = {
        "order": [str(i) for i in ids],
        "carrier": "laposte",
        f"tracking-{ids[0]}": "6A11111111111",
        f"tracking-{ids[1]}": "??",
    }

    response = post(staff, "/admin/fulfilment/ship", data, page="/admin/fulfilment")

    assert response.status_code == 422
    assert f"Order {two}: A tracking number is 4 to 40" in response.get_data(as_text=True)
    assert {order_by_reference(ref).status for ref in (one, two)} == {"paid"}
    assert mails("order_shipped") == []
    nothing = post(
        staff, "/admin/fulfilment/ship", {"carrier": "laposte"}, page="/admin/fulfilment"
    )
    assert nothing.status_code == 422 and "Tick at least one order" in nothing.get_data(
        as_text=True
    )


# --- printing ---------------------------------------------------------------------------


def test_the_pick_list_totals_units_per_product_and_size(staff, make_product, vinyl):
    shirt = make_product(kind="merch", name="T-shirt", options={"M": 10, "L": 10})
    m, size_l = shirt.options
    paid_cart_order((vinyl, 2), (shirt, m.id, 1))
    paid_cart_order((vinyl, 1), (shirt, m.id, 2), (shirt, size_l.id, 1), email="b@example.org")

    page = staff.get("/admin/fulfilment/print").get_data(as_text=True)

    picks = page[page.index('class="admin-table pick-list"') : page.index("</table>")]
    assert f'{vinyl.describe()}</td><td class="num">3<' in picks
    assert f'{shirt.describe(m)}</td><td class="num">3<' in picks
    assert f'{shirt.describe(size_l)}</td><td class="num">1<' in picks
    assert page.count('class="packing-slip"') == 2


def test_a_packing_slip_shows_address_copy_notes_and_only_what_is_left(staff, make_edition):
    edition = make_edition(reveal_mode="sealed")
    reference = paid_cart_order((edition.product, 2), name="Ana Sillon", city="Nantes")
    [line] = lines_of(reference)
    send_parcel(staff, reference, {line.id: 1})
    order = order_by_reference(reference)

    page = staff.get(f"/admin/fulfilment/print?order={order.id}").get_data(as_text=True)

    slip = page[page.index('class="packing-slip"') :]
    assert "Ana Sillon" in slip and "Nantes" in slip and reference in slip
    assert 'class="num">1<' in slip  # one unit left of two
    assert slip.count("No. ") == 2  # both numbered copies, sealed ones too
    # Print styles come from the stylesheet: the CSP refuses inline ones, and no script runs.
    assert "css/admin.css" in page and "<style" not in page and "<script" not in page


def test_print_and_export_take_only_the_ticked_orders(staff, vinyl):
    one, two = paid_order(vinyl, "test"), paid_order(vinyl, "test", email="b@example.org")
    ticked = order_by_reference(one).id

    page = staff.get(f"/admin/fulfilment/print?order={ticked}&order=nonsense").get_data(
        as_text=True
    )
    exported = staff.get(f"/admin/fulfilment/addresses.csv?order={ticked}").get_data(as_text=True)

    assert one in page and two not in page
    assert [spreadsheet(row[7]) for row in csv.reader(io.StringIO(exported))][1:] == [one]


def test_the_address_export_parses_back(staff, make_product, vinyl):
    cassette = make_product(kind="cassette", price_cents=900, stock=5)
    parcel = paid_cart_order((vinyl, 2), (cassette, 1), name="=HYPERLINK(1)", line2="Bât. B")
    letter = paid_cart_order(
        (cassette, 1), email="b@example.org", country="BE", postal_code="1000", city="Bruxelles"
    )

    response = staff.get("/admin/fulfilment/addresses.csv")

    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "name", "address_line1", "address_line2", "postal_code", "city", "country", "email",
        "reference", "weight_class", "units",
    ]  # fmt: skip
    assert rows[1] == [
        "'=HYPERLINK(1)", "1 rue du Bruit", "Bât. B", "69001", "Lyon", "FR", "fan@example.org",
        rows[1][7], "parcel", "3",
    ]  # fmt: skip
    assert spreadsheet(rows[1][7]) == parcel
    assert rows[2][3:6] == ["1000", "Bruxelles", "BE"]
    assert (spreadsheet(rows[2][7]), *rows[2][8:]) == (letter, "letter", "1")


# --- the CSV import of tracking numbers -------------------------------------------------------


def upload(client, text: str):
    page = client.get("/admin/fulfilment/import").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "file": (io.BytesIO(text.encode()), "t.csv")}
    return client.post("/admin/fulfilment/import", data=data, content_type="multipart/form-data")


def confirm(client, text: str):
    return post(
        client,
        "/admin/fulfilment/import/confirm",
        {"content": text},
        page="/admin/fulfilment/import",
    )


def test_a_valid_file_is_previewed_then_ships_every_order(staff, vinyl):
    one, two = paid_order(vinyl, "test"), paid_order(vinyl, "test", email="b@example.org")
    text = (
        "reference,carrier,tracking_number\r\n"
        f"{one},laposte,6A11111111111\r\n{two},Mondial Relay,12345678\r\n"
    )

    preview = upload(staff, text)

    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 orders to ship" in body
    assert order_by_reference(one).status == "paid"  # a preview ships nothing
    checked = html.unescape(re.search(r'name="content" type="hidden" value="([^"]*)"', body)[1])
    assert checked == text
    assert confirm(staff, checked).status_code == 302
    assert order_by_reference(one).tracking_number == "6A11111111111"
    assert order_by_reference(two).carrier == "mondialrelay"
    assert len(mails("order_shipped")) == 2


def test_bad_rows_are_listed_with_their_number_and_nothing_ships(admin, vinyl, make_product):
    good = paid_order(vinyl, "test")
    shipped = paid_order(vinyl, "test", email="b@example.org")
    ship(admin, shipped)
    text = "\n".join(
        [
            "carrier,reference,tracking_number",
            f"laposte,{good},6A11111111111",
            "laposte,NOPE-0000,6A11111111111",
            f"pigeon,{good},1234",
            f"laposte,{shipped},6A33333333333",
            f"ups,{good},",
            f"laposte,{good},6A11111111111",
        ]
    )

    response = upload(admin, text)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for row, message in (
        (3, "There is no order NOPE-0000."),
        (4, "“pigeon” is not a carrier the shop knows."),
        (5, f"Order {shipped} is shipped: nothing to ship."),
        (6, "The tracking number is missing."),
        (7, f"Order {good} is on row 2 already."),
    ):
        assert f'<td class="num">{row}</td><td>{message}</td>' in body
    assert 'action="/admin/fulfilment/import/confirm"' not in body
    assert confirm(admin, text).status_code == 422  # sent anyway: checked again
    assert order_by_reference(good).status == "paid" and len(mails("order_shipped")) == 1


def test_an_order_shipped_meanwhile_rolls_the_whole_import_back(staff, vinyl, monkeypatch):
    one, two = paid_order(vinyl, "test"), paid_order(vinyl, "test", email="b@example.org")
    text = f"reference,carrier,tracking_number\n{one},laposte,6A11111\n{two},laposte,6A22222\n"

    # The file was checked; the second order is shipped by someone else before its turn.
    real = bulk.post_parcel

    def racing(session, order, **kwargs):
        if order.reference == two:
            session.execute(
                update(type(order)).where(type(order).id == order.id).values(status="shipped")
            )
        return real(session, order, **kwargs)

    monkeypatch.setattr(bulk, "post_parcel", racing)
    response = confirm(staff, text)

    assert response.status_code == 302
    assert order_by_reference(one).status == "paid" and parcels(one) == []
    assert mails("order_shipped") == []


def test_a_file_that_is_not_a_csv_gets_a_message(staff):
    page = staff.get("/admin/fulfilment/import").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "file": (io.BytesIO(b"\xff\xfe\x00bad"), "t.csv")}
    response = staff.post("/admin/fulfilment/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "not UTF-8" in response.get_data(as_text=True)
    missing = upload(staff, "ref,tracking\nX,Y\n")
    assert "Missing columns: reference, carrier" in missing.get_data(as_text=True)


# --- a campaign's batch -------------------------------------------------------------------


def batch_ship(client, campaign: Campaign, tracking: dict[str, str], carrier: str = "laposte"):
    data = {"carrier": carrier, "shown": ",".join(tracking)}
    for reference, number in tracking.items():
        data[f"tracking-{order_by_reference(reference).id}"] = number
    url = f"/admin/fulfilment/campaigns/{campaign.id}"
    return post(client, f"{url}/ship", data, page=url)


def ships_today(campaign: Campaign) -> None:
    db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id).values(ships_on=utcnow().date())
    )
    db.session.commit()


def test_the_batch_waits_for_the_promised_date_then_ships_all(staff, make_campaign, vinyl):
    campaign = make_campaign()
    [product] = campaign.products
    backers = [preorder(product, email=f"fan{n}@example.org").reference for n in range(2)]
    other = paid_order(vinyl, "test")
    tracking = {ref: f"6A{n}1111111111" for n, ref in enumerate(backers)}

    early = batch_ship(staff, campaign, tracking)

    assert early.status_code == 422
    assert "The batch ships on" in early.get_data(as_text=True)
    assert {order_by_reference(ref).status for ref in backers} == {"paid"}

    ships_today(campaign)
    page = staff.get(f"/admin/fulfilment/campaigns/{campaign.id}").get_data(as_text=True)
    assert all(ref in page for ref in backers) and other not in page
    assert batch_ship(staff, campaign, tracking).status_code == 302
    assert {order_by_reference(ref).status for ref in backers} == {"shipped"}
    assert order_by_reference(other).status == "paid"
    assert order_by_reference(backers[1]).tracking_number == "6A11111111111"


def test_the_batch_waits_for_the_pressing_goal(staff, make_campaign):
    campaign = make_campaign(goals=(("pressing", 5, "none", "Pressing"),))
    backer = preorder(campaign.products[0]).reference
    ships_today(campaign)

    response = batch_ship(staff, campaign, {backer: "6A11111111111"})

    assert response.status_code == 422
    assert "pressing goal is not reached" in response.get_data(as_text=True)
    assert order_by_reference(backer).status == "paid"


def test_a_failed_campaign_ships_nothing(staff, make_campaign):
    campaign = make_campaign(ships_in=timedelta(days=0))
    backer = preorder(campaign.products[0]).reference
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(outcome="failed"))
    db.session.commit()

    response = batch_ship(staff, campaign, {backer: "6A11111111111"})

    assert response.status_code == 422 and "pressing goal was missed" in response.get_data(
        as_text=True
    )
    assert order_by_reference(backer).status == "paid"


def test_the_batch_is_linked_from_the_list_and_the_campaign(staff, make_campaign):
    campaign = make_campaign()
    preorder(campaign.products[0])
    url = f"/admin/fulfilment/campaigns/{campaign.id}"
    assert url in staff.get("/admin/fulfilment").get_data(as_text=True)
    assert url in staff.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    printed = staff.get(f"{url}/print").get_data(as_text=True)
    assert printed.count('class="packing-slip"') == 1
    assert staff.get("/admin/fulfilment/campaigns/999999").status_code == 404


def test_a_preorder_paid_after_the_page_was_shown_stops_the_batch(staff, make_campaign):
    campaign = make_campaign(ships_in=timedelta(days=0))
    [product] = campaign.products
    first = preorder(product).reference
    url = f"/admin/fulfilment/campaigns/{campaign.id}"
    page = staff.get(url).get_data(as_text=True)
    shown = re.search(r'name="shown" type="hidden" value="([^"]*)"', page).group(1)
    late = preorder(product, email="late@example.org").reference
    data = {"csrf_token": csrf_token_from(page), "carrier": "other", "shown": shown}

    response = staff.post(f"{url}/ship", data=data)

    assert response.status_code == 422
    assert "The batch changed since the page was shown" in response.get_data(as_text=True)
    assert {order_by_reference(ref).status for ref in (first, late)} == {"paid"}


# --- limits under concurrency and any sequence ------------------------------------------------


@pytest.mark.slow
def test_four_parcels_of_the_last_unit_at_once_post_it_once(live_server, staff, vinyl):
    reference = paid_cart_order((vinyl, 1))
    [line] = lines_of(reference)
    sends = []
    for _ in range(4):
        browser = Admin(live_server)
        browser.sign_in(STAFF)
        token = CSRF_RE.search(browser.request(f"/admin/orders/{reference}").body).group(1)
        data = {
            "parcel-csrf_token": token,
            f"parcel-line-{line.id}": "1",
            "parcel-carrier": "laposte",
            "parcel-tracking_number": "6A12345678901",
        }
        sends.append(
            lambda b=browser, d=data: b.request(f"/admin/orders/{reference}/parcel", d).status
        )

    statuses = at_once(sends)

    assert all(status in (302, 422) for status in statuses)
    assert len(parcels(reference)) == 1 and len(mails("order_shipped")) == 1
    assert order_by_reference(reference).status == "shipped"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(asks=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=6))
def test_parcels_never_post_more_than_the_order_holds(make_product, asks):
    lp, disc = make_product(stock=50, name="LP"), make_product(kind="cd", stock=50, name="CD")
    reference = paid_cart_order((lp, 3), (disc, 2))
    order = order_by_reference(reference)
    first, second = order.lines
    mailed = len(mails("order_shipped"))
    for lp_units, cd_units in asks:
        with contextlib.suppress(StorefrontError):
            ship_parcel(
                db.session,
                order_by_reference(reference),
                quantities={first.id: lp_units, second.id: cd_units},
                carrier="laposte",
                tracking_number="6A12345678901",
                now=utcnow(),
                actor=ADMIN,
            )
        sent = shipped_units(db.session, order_by_reference(reference))
        assert all(sent.get(line.id, 0) <= line.quantity for line in (first, second))
        everything = all(sent.get(line.id, 0) == line.quantity for line in (first, second))
        assert (order_by_reference(reference).status == "shipped") == everything
    assert len(mails("order_shipped")) - mailed == len(parcels(reference))
