"""The label's week on a laptop: an admin reads the dashboard (cards, charts, another
period, a chart as CSV, a zone that turns an indicator red), then gets paid orders out
(ticks, pick list and packing slips, a parcel of part of an order then the rest, the
others shipped at once) and records a return that goes back on the shelf.

Each step leaves a full-page screenshot in the test's tmp dir, copied to `SHOTS_DIR`
when that variable is set (`SHOTS_DIR=/tmp/shots pytest tests/browser/...`)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.kpis.periods import preset
from storefront.newsletter.models import Subscriber
from tests.conftest import order_by_reference
from tests.support.fulfilment import lines_of, paid_cart_order
from tests.support.payments import mails, stock
from tests.support.staff import PASSWORD, make_user
from tests.unit.test_kpi_queries import make_order, visits

pytestmark = pytest.mark.browser

ADMIN = "admin@bruitblanc.example"


@pytest.fixture
def shoot(request, tmp_path):
    """`shoot(page, name)`: a full-page PNG in tmp_path, also copied to $SHOTS_DIR."""
    copy_to = os.environ.get("SHOTS_DIR")
    prefix = request.node.name.removeprefix("test_").split("_")[0]

    def shoot(page, name: str) -> Path:
        path = tmp_path / f"{prefix}-{name}.png"
        page.screenshot(path=path, full_page=True)
        if copy_to:
            Path(copy_to).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(copy_to) / path.name)
        return path

    return shoot


def sign_in(page, live_server: str) -> None:
    make_user(ADMIN, role="admin")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".admin-nav").wait_for()


def menu(page, name: str) -> None:
    page.locator(".admin-nav").get_by_role("link", name=name, exact=True).click()


def flash(page, text: str) -> None:
    page.locator(".flash-success").filter(has_text=text).wait_for()


# --- the dashboard ---------------------------------------------------------------------------


def noon(today: date, days_ago: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(12), tzinfo=UTC)


def known_weeks(make_product, today: date) -> None:
    """Four weeks worked out by hand (A sells a 20 € vinyl, B a 30 € one):

    - paid and kept: ana 20 € (2 days ago, shop), ben 30 + 20 € less a 10 € refund (3 days
      ago, shop), ana 2 x 20 € at the stand (12 days ago): 10 000 cents over 3 orders;
    - cleo's order (4 days ago) was refunded whole: no sale;
    - 20 visitors of A's page, no preorder: conversion 0 %;
    - subscribers confirmed 60, 20, 5 and 1 days ago (one more unconfirmed).
    """
    a = make_product(price_cents=2000, stock=100)
    b = make_product(price_cents=3000, stock=100)
    make_order([(a, 1)], paid=noon(today, 2), fan="ana", shipped=noon(today, 1))
    make_order([(b, 1), (a, 1)], paid=noon(today, 3), fan="ben", refunded=1000)
    make_order([(a, 2)], paid=noon(today, 12), channel="stand", fan="ana")
    make_order([(a, 1)], paid=noon(today, 4), fan="cleo", status="refunded", refunded=2500)
    for days_ago, how_many in ((2, 4), (3, 6), (20, 10)):
        visits(a.release, today - timedelta(days=days_ago), how_many)
    for n, days_ago in enumerate((60, 20, 5, 1, None)):
        confirmed = noon(today, days_ago) if days_ago else None
        db.session.add(
            Subscriber(email=f"s{n}@x.org", email_key=f"s{n}@x.org", confirmed_at=confirmed)
        )
    db.session.commit()


def card(page, key: str):
    return page.locator(f"section.kpi-card#{key}")


def value_of(page, key: str) -> str:
    return card(page, key).locator(".kpi-value").inner_text()


def state_of(page, key: str) -> str:
    classes = card(page, key).get_attribute("class").split()
    return next(c.removeprefix("kpi-") for c in classes if c != "kpi-card")


def dots(page, key: str) -> int:
    """The points of a card's chart, once its SVG is on screen."""
    svg = card(page, key).locator("svg.chart")
    svg.scroll_into_view_if_needed()
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box["width"] > 100 and box["height"] > 40, box
    [line] = svg.locator("polyline.chart-line").all()
    points = line.get_attribute("points").split()
    circles = svg.locator("circle.chart-dot").count()
    assert len(points) == circles
    return circles


def test_dashboard_cards_charts_period_csv_and_a_zone(live_server, desktop, make_product, shoot):
    today = utcnow().date()
    known_weeks(make_product, today)
    sign_in(desktop, live_server)
    menu(desktop, "Dashboard")

    assert desktop.locator("h1").inner_text() == "Dashboard"
    assert desktop.locator("section.kpi-card").count() == 10
    assert value_of(desktop, "average_basket").startswith("€33.33")  # 10 000 / 3
    assert value_of(desktop, "stand_share").startswith("40 %")  # 4 000 / 10 000
    assert value_of(desktop, "direct_share").startswith("100 %")
    assert value_of(desktop, "preorder_conversion").startswith("0 %")  # 0 / 20 visitors
    assert value_of(desktop, "newsletter_subscribers").startswith("0.75 / week")  # 3 in 4 weeks
    assert (
        "4 confirmed subscribers at the period's end, 3 new"
        in card(desktop, "newsletter_subscribers").inner_text()
    )
    assert value_of(desktop, "median_restock_days").startswith("no data")
    states = {key: state_of(desktop, key) for key in ("average_basket", "stand_share")}
    assert states == {"average_basket": "healthy", "stand_share": "healthy"}
    assert state_of(desktop, "preorder_conversion") == "alert"
    assert state_of(desktop, "median_restock_days") == "no_data"
    assert desktop.locator("svg.chart").count() == 11  # ten trends and the channels
    weeks = len(preset("4w", today).buckets())
    assert dots(desktop, "newsletter_subscribers") == weeks  # every week has a value
    channels = desktop.locator("#channels-title + svg.chart")
    assert channels.is_visible() and channels.locator("rect.chart-bar").count() == 3
    shoot(desktop, "1-four-weeks")

    desktop.get_by_label("Period").select_option(label="Last 7 days")
    desktop.get_by_role("button", name="Show").click()
    desktop.wait_for_url("**preset=7d**")
    assert value_of(desktop, "average_basket").startswith("€30.00")  # the stand sale is older
    assert value_of(desktop, "stand_share").startswith("0 %")
    assert state_of(desktop, "stand_share") == "alert"
    assert value_of(desktop, "newsletter_subscribers").startswith("2 / week")
    assert dots(desktop, "newsletter_subscribers") == 7  # a point a day
    assert desktop.get_by_label("Period").input_value() == "7d"
    shoot(desktop, "2-seven-days")

    with desktop.expect_download() as download:
        card(desktop, "newsletter_subscribers").get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    days = [(today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    assert rows[0] == ["period_start", "days", "per_week"]
    assert [row[0] for row in rows[1:]] == days
    per_day = {row[0]: row[2] for row in rows[1:]}
    assert per_day[days[1]] == per_day[days[5]] == "7.00"  # one a day is 7 a week
    assert {per_day[day] for day in (days[0], days[2], days[3], days[4], days[6])} == {"0.00"}

    basket = card(desktop, "average_basket")
    assert basket.locator(".kpi-actions").count() == 0
    basket.locator("summary").click()
    basket.get_by_label("Healthy from").fill("50")
    basket.get_by_label("Alert at").fill("40")
    basket.get_by_role("button", name="Save the zone").click()
    flash(desktop, "Zone saved.")
    assert "preset=7d" in desktop.url and desktop.url.endswith("#average_basket")
    basket = card(desktop, "average_basket")
    assert state_of(desktop, "average_basket") == "alert"  # 30 € is under 40 €
    assert "healthy from €50.00, alert at €40.00" in basket.locator("summary").inner_text()
    actions = basket.locator(".kpi-actions")
    assert actions.is_visible()
    assert "Simple action:" in actions.inner_text() and "Advanced action:" in actions.inner_text()
    basket.scroll_into_view_if_needed()
    shoot(desktop, "3-zone-turns-red")


# --- fulfilment --------------------------------------------------------------------------------


def row(page, reference: str):
    return page.locator("table.to-ship tbody tr").filter(has_text=reference)


def tick(page, *references: str) -> None:
    for reference in references:
        page.get_by_label(reference, exact=True).check()


def open_order(page, reference: str) -> None:
    menu(page, "Orders")
    page.get_by_role("link", name=reference, exact=True).click()
    page.locator("h1").filter(has_text=reference).wait_for()


def post_parcel(page, units: dict[str, int], tracking: str) -> None:
    """The order page's "ship part of the order" form: units per line description."""
    form = page.locator("form").filter(has_text="Ship part of the order")
    for description, count in units.items():
        form.get_by_label(description, exact=True).fill(str(count))
    form.get_by_label("Carrier").select_option("laposte")
    form.get_by_label("Tracking number").fill(tracking)
    form.get_by_role("button", name="Post this parcel and tell the fan").click()


def events(page) -> list[str]:
    """The order history's "What" column, oldest first."""
    return page.locator("table.order-history tbody tr td:nth-child(3)").all_inner_texts()


def fits(box) -> bool:
    """Whether an element shows all its content without scrolling sideways."""
    return box.evaluate("el => el.scrollWidth <= el.clientWidth")


def printed_pages(page) -> int:
    """How many sheets the page prints on (Chromium's own PDF, print styles applied)."""
    pdf = page.pdf(format="A4")
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))


def in_stock(page, description: str) -> int:
    menu(page, "Stock")
    cells = page.locator("table.admin-table tbody tr").filter(has_text=description).locator("td")
    return int(cells.nth(2).inner_text())


def test_fulfilment_print_parcels_ship_at_once_and_a_return(
    live_server, desktop, make_product, make_edition, shoot
):
    lp = make_product(price_cents=2400, stock=20, name="LP")
    cd = make_product(kind="cd", price_cents=1200, stock=20, name="CD")
    edition = make_edition(reveal_mode="sealed")
    ana = paid_cart_order(
        (lp, 2),
        (cd, 1),
        email="ana@example.org",
        name="Ana Sillon",
        postal_code="44000",
        city="Nantes",
    )
    ben = paid_cart_order((edition.product, 1), email="ben@example.org", name="Ben Grain")
    cleo = paid_cart_order((lp, 1), email="cleo@example.org", name="Cleo Bruit")
    lp_line, cd_line = (line.description for line in lines_of(ana, lp, cd))
    sign_in(desktop, live_server)

    menu(desktop, "Fulfilment")
    assert desktop.locator("table.to-ship tbody tr").count() == 3
    items = row(desktop, ana).locator("td").nth(4).inner_text()
    assert f"2 × {lp_line}" in items and f"1 × {cd_line}" in items  # noqa: RUF001
    assert fits(desktop.locator(".table-scroll")), "the list needs no sideways scroll here"
    shoot(desktop, "1-to-ship")

    tick(desktop, ana, ben)
    desktop.get_by_role("button", name="Print the pick list and packing slips").click()
    desktop.get_by_role("heading", name="Pick list").wait_for()
    assert "2 orders to pack." in desktop.locator("main").inner_text()
    picks = [
        r.inner_text().split("\t")[:2] for r in desktop.locator("table.pick-list tbody tr").all()
    ]
    assert sorted(picks) == sorted(
        [[lp_line, "2"], [cd_line, "1"], [edition.product.describe(), "1"]]
    )
    slips = desktop.locator("section.packing-slip")
    assert slips.count() == 2 and cleo not in desktop.content()
    ana_slip = slips.filter(has_text=ana)
    address = ana_slip.locator("address").inner_text()
    assert address.splitlines() == ["Ana Sillon", "1 rue du Bruit", "44000 Nantes", "FR"]
    assert ana_slip.locator("table.slip-lines tbody tr").count() == 2
    copies = slips.filter(has_text=ben).locator("ul.copy-label li")
    assert copies.count() == 1 and re.search(r"No\. \d+", copies.inner_text())
    shoot(desktop, "2-print")
    assert printed_pages(desktop) == 3  # the pick list, then a page per packing slip

    desktop.get_by_role("link", name="Back to the admin").click()
    desktop.get_by_role("link", name=ana, exact=True).click()
    post_parcel(desktop, {lp_line: 1, cd_line: 0}, "6A11111111111")
    desktop.locator("#parcels").wait_for()
    assert "Paid" in desktop.locator(".order-status").inner_text()
    assert f"1 × {lp_line}" in desktop.locator("ul.parcels").inner_text()  # noqa: RUF001
    shoot(desktop, "3-first-parcel")

    form = desktop.locator("form").filter(has_text="Ship part of the order")
    assert form.get_by_label(lp_line, exact=True).input_value() == "1"  # what is left
    assert form.get_by_label(cd_line, exact=True).input_value() == "1"
    post_parcel(desktop, {}, "6A22222222222")
    desktop.locator(".order-status").filter(has_text="Shipped").wait_for()
    assert desktop.locator("ul.parcels > li").count() == 2
    shoot(desktop, "4-rest-shipped")

    menu(desktop, "Fulfilment")
    assert desktop.locator("table.to-ship tbody tr").count() == 2
    tick(desktop, ben, cleo)
    desktop.get_by_label(f"Tracking number for {ben}").fill("6A33333333333")
    desktop.get_by_label(f"Tracking number for {cleo}").fill("6A44444444444")
    desktop.get_by_label("Carrier").select_option("laposte")
    shoot(desktop, "5-ticked-with-tracking")
    desktop.get_by_role("button", name="Ship the ticked orders and tell the fans").click()
    flash(desktop, "2 orders shipped; each fan gets a mail.")
    assert "Nothing waits to ship." in desktop.locator("main").inner_text()
    shoot(desktop, "6-shipped-at-once")
    assert {order_by_reference(ref).tracking_number for ref in (ben, cleo)} == {
        "6A33333333333",
        "6A44444444444",
    }

    tracked = sorted(
        (mail.recipient, sorted(set(re.findall(r"6A\d{11}", mail.body))))
        for mail in mails("order_shipped")
    )
    assert tracked == [
        ("ana@example.org", ["6A11111111111"]),
        ("ana@example.org", ["6A22222222222"]),
        ("ben@example.org", ["6A33333333333"]),
        ("cleo@example.org", ["6A44444444444"]),
    ]  # a mail per parcel, each with its own tracking number

    before = in_stock(desktop, lp_line)
    assert before == 20 - 3 == stock(lp)
    shoot(desktop, "7-stock-before")

    open_order(desktop, ana)
    assert events(desktop).count("Parcel") == 2
    assert "Paid → Shipped" in desktop.locator("table.order-history").inner_text()
    back = desktop.locator("form").filter(has_text="Record the return")
    back.get_by_label(lp_line, exact=True).fill("1")
    back.get_by_label("Reason").select_option(label="Damaged")
    back.get_by_label("What becomes of them").select_option(label="Back in stock")
    back.get_by_label("Note").fill("Sleeve corner bent")
    back.get_by_role("button", name="Record the return").click()
    desktop.locator("#returns").wait_for()
    returns = desktop.locator("ul.returns").inner_text()
    assert "Damaged" in returns and "Back in stock" in returns and "Sleeve corner bent" in returns
    assert events(desktop).count("Return") == 1 and events(desktop).count("Refund") == 1
    shoot(desktop, "8-return")

    assert in_stock(desktop, lp_line) == before + 1
    shoot(desktop, "9-stock-after")
