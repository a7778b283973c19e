"""The KPI dashboard in the admin: who may read it, its figures, its forms and CSV files,
and the release page's visitor counter (no cookie, one row per visitor and day)."""

from __future__ import annotations

import csv
import io
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.kpis.models import IndicatorZone, PlaylistAdds, ReleaseVisit
from storefront.kpis.visits import VisitCounter, counter
from tests.support.staff import send
from tests.unit.test_kpi_queries import label_month  # noqa: F401 - the known month

MONTH = "start=2026-03-02&end=2026-03-29"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def _fresh_counter():
    counter.forget()  # the process remembers today's visitors: each test starts blank
    yield
    counter.forget()


def page(client, query: str = MONTH):
    response = client.get(f"/admin/dashboard?{query}")
    return response, response.get_data(as_text=True)


# --- access -------------------------------------------------------------------------------


def test_admins_only(client, staff):
    assert staff.get("/admin/dashboard").status_code == 403
    assert staff.get("/admin/dashboard/average_basket.csv").status_code == 403
    assert "/admin/dashboard" not in staff.get("/admin/orders").get_data(as_text=True)


def test_signed_out_goes_to_the_login(client):
    assert client.get("/admin/dashboard").status_code == 302


def test_dashboard_is_first_in_the_menu(admin):
    html = admin.get("/admin/releases").get_data(as_text=True)
    nav = html[html.index('class="admin-nav"') :]
    assert nav.index("/admin/dashboard") < nav.index("/admin/releases")


# --- figures ------------------------------------------------------------------------------


def test_the_month_in_figures(admin, label_month):  # noqa: F811
    response, html = page(admin)
    assert response.status_code == 200
    assert "20 %" in html  # conversion 2 ÷ 10 (see tests/unit/test_kpi_queries.py)
    assert "€40.00" in html  # the average basket
    assert "62.5 %" in html  # direct sales 10000 ÷ 16000
    assert "3 confirmed subscribers at the period" in html
    assert html.count("<svg") == 11  # ten trends and the channels


def test_an_empty_period_says_no_data(admin):
    response, html = page(admin, "start=2025-01-01&end=2025-01-28")
    assert response.status_code == 200
    assert html.count('class="kpi-value">no data') == 10
    assert 'class="kpi-value">0' not in html


def test_a_red_indicator_shows_the_seeds_actions(admin, label_month):  # noqa: F811
    # Returns rate 50 % against the default alert at 5 %.
    _response, html = page(admin)
    card = html[html.index('id="returns_rate"') :]
    card = card[: card.index("</section>")]
    assert (
        "kpi-alert" in html[html.index('id="returns_rate"') - 60 : html.index('id="returns_rate"')]
    )
    assert "Improve the product information" in card and "Change carrier" in card


def test_a_release_of_its_own(admin, label_month):  # noqa: F811
    a, _b = label_month
    _response, html = page(admin, f"{MONTH}&release={a.id}")
    assert "40 %" in html  # 2 backings ÷ 5 visitors of A's page
    assert html.count('class="kpi-value">Label-wide') == 2  # subscribers, acquisition cost


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-13-45&end=2026-03-01", "Write the date as YYYY-MM-DD"),
        ("start=2026-03-10&end=2026-03-01", "The end comes before the start."),
        ("start=2026-03-10", "Give both dates"),
        ("start=2020-01-01&end=2026-01-01", "Choose at most three years."),
        ("preset=forever", "Not a valid choice"),
        ("release=abc", "Not a valid choice"),
    ],
)
def test_a_bad_period_gets_a_message(admin, query, message):
    response, html = page(admin, query)
    assert response.status_code == 422
    assert message in html


# --- the zone form -------------------------------------------------------------------------


def test_a_zone_is_kept_and_changes_the_state(admin, label_month):  # noqa: F811
    url = f"/admin/dashboard/zones/returns_rate?{MONTH}"
    data = {"returns_rate-healthy": "60", "returns_rate-alert": "80,5"}
    response = send(admin, url, data, page=f"/admin/dashboard?{MONTH}")
    assert response.status_code == 302
    zone = db.session.scalar(select(IndicatorZone).where(IndicatorZone.indicator == "returns_rate"))
    assert (zone.healthy, zone.alert, zone.updated_by) == (6000, 8050, "admin@bruitblanc.example")
    _response, html = page(admin)
    start = html.index('id="returns_rate"')
    assert "kpi-healthy" in html[start - 60 : start]  # 50 % is now under 60 %


@pytest.mark.parametrize(
    ("healthy", "alert", "message"),
    [
        ("abc", "5", "Write a number with at most two decimals"),
        ("1,234", "5", "Write a number with at most two decimals"),
        ("", "5", "This field is required."),
        ("8", "5", "less is better: the healthy bound must be below"),
        ("2", "120", "A share cannot be over 100 %."),
    ],
)
def test_a_bad_zone_gets_a_message(admin, healthy, alert, message):
    data = {"returns_rate-healthy": healthy, "returns_rate-alert": alert}
    response = send(admin, "/admin/dashboard/zones/returns_rate", data, page="/admin/dashboard")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IndicatorZone)) == 0


def test_an_unknown_indicator_is_not_found(admin):
    data = {"x-healthy": "1", "x-alert": "2"}
    assert send(admin, "/admin/dashboard/zones/x", data, page="/admin/dashboard").status_code == 404
    assert admin.get("/admin/dashboard/x.csv").status_code == 404


def test_a_zone_without_its_csrf_token_is_refused(admin):
    response = admin.post("/admin/dashboard/zones/returns_rate", data={"returns_rate-healthy": "1"})
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(func.count()).select_from(IndicatorZone)) == 0


# --- playlist adds -------------------------------------------------------------------------


def test_playlist_adds_are_kept_for_the_weeks_monday(admin, label_month):  # noqa: F811
    a, _b = label_month
    data = {"week": "2026-03-26", "release": str(a.id), "adds": "9"}
    response = send(admin, "/admin/dashboard/playlists", data, page="/admin/dashboard")
    assert response.status_code == 302
    data["adds"] = "7"  # typed again: replaced
    send(admin, "/admin/dashboard/playlists", data, page="/admin/dashboard")
    rows = db.session.scalars(
        select(PlaylistAdds).where(PlaylistAdds.week == date(2026, 3, 23))
    ).all()
    assert [(row.release_id, row.adds) for row in rows] == [(a.id, 7)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"week": "2026-03-26", "adds": "-3"}, "Number must be between 0 and 1000000."),
        ({"week": "2026-03-26", "adds": "lots"}, "Not a valid integer value."),
        ({"week": "someday", "adds": "3"}, "Write the date as YYYY-MM-DD"),
        ({"week": "2026-03-26", "adds": "3", "release": "999999"}, "Not a valid choice"),
    ],
)
def test_bad_playlist_adds_get_a_message(admin, data, message):
    response = send(admin, "/admin/dashboard/playlists", data, page="/admin/dashboard")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PlaylistAdds)) == 0


# --- CSV -----------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_an_indicator_as_csv(admin, label_month):  # noqa: F811
    rows = read_csv(admin.get(f"/admin/dashboard/preorder_conversion.csv?{MONTH}"))
    # Week 1: 1 ÷ 3 = 33.33 %; week 2: 1 ÷ 7 = 14.29 %; then nobody visited.
    assert rows == [
        {"period_start": "2026-03-02", "days": "7", "percent": "33.33"},
        {"period_start": "2026-03-09", "days": "7", "percent": "14.29"},
        {"period_start": "2026-03-16", "days": "7", "percent": ""},
        {"period_start": "2026-03-23", "days": "7", "percent": ""},
    ]


def test_money_as_csv_is_in_euros(admin, label_month):  # noqa: F811
    rows = read_csv(admin.get(f"/admin/dashboard/average_basket.csv?{MONTH}"))
    # Week 1: order 1 (2000); week 2: 4000 + 4000 over 2; week 3: the distributor's 6000.
    assert [row["euros"] for row in rows] == ["20.00", "40.00", "60.00", ""]


def test_sales_by_channel_as_csv(admin, label_month):  # noqa: F811
    rows = read_csv(admin.get(f"/admin/dashboard/channels.csv?{MONTH}"))
    assert rows == [
        {"channel": "shop", "cents": "6000"},
        {"channel": "stand", "cents": "4000"},
        {"channel": "distributor", "cents": "6000"},
    ]


# --- the visitor counter -------------------------------------------------------------------


def visitors(release) -> int:
    db.session.expire_all()
    query = select(func.count()).where(ReleaseVisit.release_id == release.id)
    return db.session.scalar(query)


def view(client, release, agent=BROWSER, **headers):
    return client.get(f"/releases/{release.slug}", headers={"User-Agent": agent, **headers})


def test_the_same_visitor_twice_is_one(client, make_release):
    release = make_release()
    assert view(client, release).status_code == 200
    view(client, release)
    assert visitors(release) == 1


def test_two_browsers_are_two(client, make_release):
    release = make_release()
    view(client, release)
    view(client, release, agent=BROWSER + " Other")
    assert visitors(release) == 2


def test_two_addresses_are_two(client, make_release):
    release = make_release()
    client.get(f"/releases/{release.slug}", headers={"User-Agent": BROWSER})
    other = {"REMOTE_ADDR": "10.0.0.9"}
    client.get(
        f"/releases/{release.slug}", headers={"User-Agent": BROWSER}, environ_overrides=other
    )
    assert visitors(release) == 2


def test_counting_sets_no_cookie(app, client, make_release):
    release = make_release()
    first = view(client, release)
    # The one cookie is the shop's session, holding only its forms' CSRF token.
    (cookie,) = first.headers.getlist("Set-Cookie")
    name, value = cookie.split(";")[0].split("=", 1)
    serializer = app.session_interface.get_signing_serializer(app)
    assert (name, set(serializer.loads(value))) == ("session", {"csrf_token"})
    assert "Set-Cookie" not in view(client, release).headers
    # A browser that keeps no cookie at all is still one visitor.
    jarless = app.test_client(use_cookies=False)
    for _ in range(3):
        view(jarless, release)
    assert visitors(release) == 1


def test_robots_and_do_not_track_are_not_counted(client, make_release):
    release = make_release()
    view(client, release, agent="Googlebot/2.1 (+http://www.google.com/bot.html)")
    view(client, release, agent="curl/8.5.0")
    view(client, release, agent="")
    view(client, release, DNT="1")
    view(client, release, **{"Sec-GPC": "1"})
    assert visitors(release) == 0


def test_no_address_is_stored(client, make_release):
    release = make_release()
    view(client, release)
    row = db.session.scalar(select(ReleaseVisit))
    assert row.day == utcnow().date() and "127.0.0.1" not in row.visitor and len(row.visitor) == 32


def test_two_processes_count_one_visitor_once(make_release):
    """The database decides between processes (each has its own memory)."""
    release = make_release()
    day = utcnow().date()
    first, second = VisitCounter(), VisitCounter()
    assert first.count(db.session, slug=release.slug, visitor="v" * 32, day=day)
    assert not second.count(db.session, slug=release.slug, visitor="v" * 32, day=day)
    assert visitors(release) == 1


def test_simultaneous_views_count_each_visitor_once(live_server, make_release):
    release = make_release()

    def fetch(n: int) -> int:
        agent = f"{BROWSER} visitor-{n % 5}"  # five visitors, eight views each
        request = urllib.request.Request(f"{live_server}/releases/{release.slug}")
        request.add_header("User-Agent", agent)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert set(pool.map(fetch, range(40))) == {200}
    assert visitors(release) == 5


# --- what needs attention --------------------------------------------------------------------


def test_low_stock_and_frozen_budgets_are_listed_with_links(admin, make_product):
    from storefront.budgets.models import BudgetFreeze, ReleaseBudget

    product = make_product(stock=10)
    product.last_run = 100  # 10 left of a run of 100: under the 25 % threshold
    budget = ReleaseBudget(release=product.release, frozen_at=utcnow())
    budget.freezes = [
        BudgetFreeze(
            frozen_at=utcnow(), spent_cents=90_000, margin_cents=60_000, limit_cents=60_000
        )
    ]
    db.session.add(budget)
    db.session.commit()
    html = admin.get("/admin/dashboard").get_data(as_text=True)
    assert f'href="/admin/products/{product.id}"' in html
    assert "10 units left, threshold 25" in html
    assert f'href="/admin/releases/{product.release.id}/budget"' in html
    assert "spent €900.00 for a limit of €600.00" in html
