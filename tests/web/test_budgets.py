"""Release budgets from the admin: lines, spends typed in euros, the expected margin, the
stop-loss tripping at its boundary, freezing and being lifted; the opportunity reserve
and its rules; bad input; and both limits under simultaneous requests over real HTTP."""

from __future__ import annotations

import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from threading import Barrier

import pytest
from sqlalchemy import func, select

from storefront.budgets.models import (
    BudgetFreeze,
    BudgetLine,
    BudgetSpend,
    ReleaseBudget,
    ReserveUse,
    ReserveYear,
)
from storefront.budgets.stoploss import frozen_budgets
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.orders.models import Order, OrderLine
from tests.support.fans import Fan
from tests.support.staff import PASSWORD, make_user, send

TODAY = date.today().isoformat()


def paid_order(product, *, quantity=1, shipping=0, refunded=0, extra=0) -> Order:
    """A paid order of `quantity` x `product` (plus `extra` cents of another release)."""
    goods = product.price_cents * quantity
    order = Order(
        reference=secrets.token_hex(8),
        email="fan@example.org",
        status="paid",
        subtotal_cents=goods + extra,
        shipping_cents=shipping,
        total_cents=goods + extra + shipping,
        refunded_cents=refunded,
        provider="test",
        reserved_until=utcnow(),
        paid_at=utcnow(),
    )
    order.lines = [
        OrderLine(
            product=product,
            description=product.name,
            kind=product.kind,
            unit_price_cents=product.price_cents,
            quantity=quantity,
        )
    ]
    db.session.add(order)
    db.session.commit()
    return order


def budget_url(release) -> str:
    return f"/admin/releases/{release.id}/budget"


def add_line(client, release, category, planned, essential="auto", label=""):
    data = {
        "line-category": category,
        "line-label": label,
        "line-planned": planned,
        "line-essential": essential,
    }
    return send(client, budget_url(release) + "/lines", data, page=budget_url(release))


def line_of(release, category) -> BudgetLine:
    db.session.expire_all()
    return db.session.scalar(
        select(BudgetLine)
        .join(ReleaseBudget)
        .where(ReleaseBudget.release_id == release.id, BudgetLine.category == category)
    )


def spend(client, release, line, amount, *, on=TODAY, note=""):
    data = {"spend-line": line.id, "spend-amount": amount, "spend-spent_on": on, "spend-note": note}
    return send(client, budget_url(release) + "/spends", data, page=budget_url(release))


def budget_of(release) -> ReleaseBudget:
    db.session.expire_all()
    return db.session.scalar(select(ReleaseBudget).where(ReleaseBudget.release_id == release.id))


@pytest.fixture
def sold_release(make_product):
    """A release whose paid sales are 100,00 € of goods: with no essential line and the
    default 100 % rule, its stop-loss limit is 100,00 €."""
    product = make_product(price_cents=5000)
    paid_order(product, quantity=2, shipping=700)
    return product.release


# --- lines and spends ----------------------------------------------------------------


def test_lines_take_their_essential_default_and_spends_are_typed_in_euros(admin, sold_release):
    assert add_line(admin, sold_release, "pressing", "1 200,00").status_code == 302
    assert add_line(admin, sold_release, "ads", "300.50").status_code == 302
    pressing, ads = line_of(sold_release, "pressing"), line_of(sold_release, "ads")
    assert (pressing.essential, pressing.planned_cents) == (True, 120_000)
    assert (ads.essential, ads.planned_cents) == (False, 30_050)

    assert spend(admin, sold_release, ads, "12,50", note="first week").status_code == 302
    recorded = db.session.scalar(select(BudgetSpend))
    assert (recorded.amount_cents, recorded.note, recorded.actor) == (
        1250,
        "first week",
        "admin@bruitblanc.example",
    )
    page = admin.get(budget_url(sold_release)).get_data(as_text=True)
    assert "€1,500.50" in page  # planned: 1 200,00 + 300,50
    assert "€12.50" in page


def test_a_line_is_edited_and_one_without_spends_removed(admin, sold_release):
    add_line(admin, sold_release, "video", "500")
    line = line_of(sold_release, "video")
    url = f"/admin/budget-lines/{line.id}"
    data = {
        "line-category": "video",
        "line-label": "Clip",
        "line-planned": "650",
        "line-essential": "yes",
    }
    assert send(admin, url, data).status_code == 302
    line = line_of(sold_release, "video")
    assert (line.label, line.planned_cents, line.essential) == ("Clip", 65_000, True)
    reply = send(admin, url + "/remove", {}, page=budget_url(sold_release))
    assert reply.status_code == 302
    assert line_of(sold_release, "video") is None


def test_a_line_with_spends_is_not_removed(admin, sold_release):
    add_line(admin, sold_release, "ads", "100")
    line = line_of(sold_release, "ads")
    spend(admin, sold_release, line, "10")
    reply = send(admin, f"/admin/budget-lines/{line.id}/remove", {}, page=budget_url(sold_release))
    assert reply.status_code == 302
    assert line_of(sold_release, "ads") is not None
    assert "it stays, so they do" in admin.get(budget_url(sold_release)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("amount", "on", "message"),
    [
        ("abc", TODAY, "Write the amount in euros"),
        ("-5", TODAY, "Write the amount in euros"),
        ("0", TODAY, "The amount must be more than 0."),
        ("99999999999", TODAY, "An amount is at most 1 000 000 €."),
        ("10", "2026-02-30", "Write the date as YYYY-MM-DD"),
        ("10", "yesterday", "Write the date as YYYY-MM-DD"),
    ],
)
def test_a_bad_spend_is_a_form_error_and_records_nothing(admin, sold_release, amount, on, message):
    add_line(admin, sold_release, "ads", "100")
    reply = spend(admin, sold_release, line_of(sold_release, "ads"), amount, on=on)
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page
    assert f'value="{amount}"' in page  # what was typed comes back
    assert db.session.scalar(select(func.count(BudgetSpend.id))) == 0


def test_a_bad_line_or_rule_is_a_form_error(admin, sold_release):
    assert add_line(admin, sold_release, "ads", "12,345").status_code == 422
    assert add_line(admin, sold_release, "fireworks", "10").status_code == 422
    reply = send(
        admin,
        budget_url(sold_release) + "/rule",
        {"rule-percent": "0"},
        page=budget_url(sold_release),
    )
    assert reply.status_code == 422
    reply = send(
        admin,
        budget_url(sold_release) + "/rule",
        {"rule-percent": "lots"},
        page=budget_url(sold_release),
    )
    assert reply.status_code == 422
    assert budget_of(sold_release) is None


def test_staff_cannot_open_budgets_or_the_reserve(staff, sold_release):
    assert staff.get(budget_url(sold_release)).status_code == 403
    assert staff.get("/admin/budgets").status_code == 403
    assert staff.get(f"/admin/reserve/{date.today().year}").status_code == 403


# --- expected margin -----------------------------------------------------------------


def test_the_page_shows_the_expected_margin_by_its_rule(admin, make_product, make_campaign):
    vinyl = make_product(price_cents=2500, stock=500)
    cd = make_product(release=vinyl.release, kind="cd", price_cents=1500)
    make_campaign(products=[vinyl, cd], goals=[("pressing", 100, "none", "Pressing")])
    paid_order(vinyl, quantity=2, shipping=500)  # 50,00 € of goods
    paid_order(cd, quantity=1, shipping=500, refunded=2000)  # 15 € - ceil(20*15/20) = 0
    release = vinyl.release
    add_line(admin, release, "pressing", "1000")  # essential
    add_line(admin, release, "ads", "400")  # not counted in the margin
    page = admin.get(budget_url(release)).get_data(as_text=True)
    # Backings are what campaigns count: none here, so 100 units x 15 € (the cheapest).
    assert "€50.00" in page  # paid, net of refunds
    assert "€1,500.00" in page  # still expected from the campaign
    assert "€1,550.00" in page  # expected revenue
    assert "€550.00" in page  # margin: 1 550 - 1 000
    assert "How these figures are computed" in page


# --- the stop-loss -------------------------------------------------------------------


def test_equal_to_the_limit_does_not_trip_one_cent_over_does(admin, sold_release):
    add_line(admin, sold_release, "ads", "500")
    ads = line_of(sold_release, "ads")
    assert spend(admin, sold_release, ads, "100,00").status_code == 302
    assert budget_of(sold_release).frozen_at is None
    assert frozen_budgets(db.session) == []

    reply = spend(admin, sold_release, ads, "0,01")
    assert reply.status_code == 302
    budget = budget_of(sold_release)
    assert budget.frozen_at is not None
    [freeze] = budget.freezes
    assert (freeze.spent_cents, freeze.limit_cents, freeze.margin_cents) == (10_001, 10_000, 10_000)
    assert "the budget is frozen" in admin.get(reply.location).get_data(as_text=True)
    [shown] = frozen_budgets(db.session)
    assert (shown.release_id, shown.release_title) == (sold_release.id, sold_release.title)
    assert (shown.spent_cents, shown.expected_margin_cents, shown.limit_cents) == (
        10_001,
        10_000,
        10_000,
    )


def frozen_release(admin, release):
    """Trip the stop-loss of `release` (100 € limit) with an ads spend of 100,01 €."""
    add_line(admin, release, "pressing", "0")
    add_line(admin, release, "ads", "500")
    spend(admin, release, line_of(release, "ads"), "100,01")
    assert budget_of(release).frozen_at is not None


def test_a_frozen_budget_refuses_non_essential_spends_and_pays_essential_ones(admin, sold_release):
    frozen_release(admin, sold_release)
    reply = spend(admin, sold_release, line_of(sold_release, "ads"), "5")
    assert reply.status_code == 409
    assert "is not essential, so it takes no spend" in reply.get_data(as_text=True)
    assert spend(admin, sold_release, line_of(sold_release, "pressing"), "5").status_code == 302
    amounts = db.session.scalars(select(BudgetSpend.amount_cents).order_by(BudgetSpend.id)).all()
    assert amounts == [10_001, 500]
    assert len(budget_of(sold_release).freezes) == 1  # frozen once, not again


def test_a_frozen_line_cannot_be_turned_essential(admin, sold_release):
    frozen_release(admin, sold_release)
    ads = line_of(sold_release, "ads")
    data = {
        "line-category": "ads",
        "line-label": "",
        "line-planned": "500",
        "line-essential": "yes",
    }
    reply = send(admin, f"/admin/budget-lines/{ads.id}", data)
    assert reply.status_code == 422
    assert line_of(sold_release, "ads").essential is False


def test_an_admin_lifts_the_freeze_with_a_reason(admin, sold_release):
    frozen_release(admin, sold_release)
    url = budget_url(sold_release) + "/lift"
    assert send(admin, url, {"lift-reason": "  "}, page=budget_url(sold_release)).status_code == 422
    assert budget_of(sold_release).frozen_at is not None

    reply = send(admin, url, {"lift-reason": "Radio session booked"}, page=budget_url(sold_release))
    assert reply.status_code == 302
    budget = budget_of(sold_release)
    [freeze] = budget.freezes
    assert budget.frozen_at is None
    assert (freeze.lift_reason, freeze.lifted_by) == (
        "Radio session booked",
        "admin@bruitblanc.example",
    )
    assert frozen_budgets(db.session) == []
    assert "Radio session booked" in admin.get(budget_url(sold_release)).get_data(as_text=True)
    # The rule is unchanged: still over the limit, the next spend is taken and freezes it again.
    assert spend(admin, sold_release, line_of(sold_release, "ads"), "1").status_code == 302
    assert len(budget_of(sold_release).freezes) == 2


def test_raising_the_percent_gives_room_after_a_lift(admin, sold_release):
    frozen_release(admin, sold_release)
    send(
        admin,
        budget_url(sold_release) + "/lift",
        {"lift-reason": "Sync deal"},
        page=budget_url(sold_release),
    )
    reply = send(
        admin,
        budget_url(sold_release) + "/rule",
        {"rule-percent": "150"},
        page=budget_url(sold_release),
    )
    assert reply.status_code == 302
    assert spend(admin, sold_release, line_of(sold_release, "ads"), "49,99").status_code == 302
    assert budget_of(sold_release).frozen_at is None  # 150,00 € spent = 150 % of 100 €


# --- the opportunity reserve ---------------------------------------------------------

YEAR = date.today().year


def reserve_url(suffix: str = "") -> str:
    return f"/admin/reserve/{YEAR}{suffix}"


def set_year(client, budget="10 000", share="10"):
    data = {"year-budget": budget, "year-share": share}
    return send(client, reserve_url(), data)


def use(client, amount, reason="Compilation slot", on=TODAY, release=""):
    data = {"use-amount": amount, "use-used_on": on, "use-reason": reason, "use-release": release}
    return send(client, reserve_url("/uses"), data, page=reserve_url())


def test_the_reserve_is_a_share_of_the_yearly_budget(admin):
    assert admin.get("/admin/reserve").status_code == 302
    assert set_year(admin).status_code == 302
    reserve = db.session.scalar(select(ReserveYear))
    assert (reserve.yearly_budget_cents, reserve.share_percent, reserve.reserve_cents) == (
        1_000_000,
        10,
        100_000,
    )
    assert "€1,000.00" in admin.get(reserve_url()).get_data(as_text=True)


def test_a_use_needs_a_reason_and_never_exceeds_what_is_left(admin, make_release):
    set_year(admin)
    release = make_release()
    assert use(admin, "600", release=str(release.id)).status_code == 302
    reply = use(admin, "400,01")
    assert reply.status_code == 409
    assert "Only €400.00 is left in the" in reply.get_data(as_text=True)
    assert use(admin, "400", reason="   ").status_code == 422
    assert use(admin, "400", on=f"{YEAR - 1}-12-31").status_code == 422
    assert use(admin, "400").status_code == 302
    uses = db.session.scalars(select(ReserveUse).order_by(ReserveUse.id)).all()
    assert [u.amount_cents for u in uses] == [60_000, 40_000]
    assert uses[0].release_id == release.id
    page = admin.get(reserve_url()).get_data(as_text=True)
    assert "€0.00" in page  # left


def test_the_year_cannot_shrink_below_what_is_used(admin):
    set_year(admin)
    use(admin, "800")
    reply = set_year(admin, budget="5 000")
    assert reply.status_code == 422
    assert "less than the €800.00 already used" in reply.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(ReserveYear.yearly_budget_cents)) == 1_000_000


def test_each_use_gets_its_outcome_afterwards(admin):
    set_year(admin)
    use(admin, "300", reason="Radio session in Lyon")
    page = admin.get(reserve_url()).get_data(as_text=True)
    assert "Measure the outcome" in page
    the_use = db.session.scalar(select(ReserveUse))
    url = f"/admin/reserve/uses/{the_use.id}/outcome"
    assert send(admin, url, {"outcome": "", "outcome_cents": ""}).status_code == 422
    assert send(admin, url, {"outcome": "x", "outcome_cents": "-3"}).status_code == 422
    data = {"outcome": "120 new subscribers, 40 LPs", "outcome_cents": "960"}
    assert send(admin, url, data).status_code == 302
    db.session.expire_all()
    the_use = db.session.get(ReserveUse, the_use.id)
    assert (the_use.outcome, the_use.outcome_cents) == ("120 new subscribers, 40 LPs", 96_000)
    assert the_use.measured_at is not None
    assert "Measure the outcome" not in admin.get(reserve_url()).get_data(as_text=True)


def test_bad_reserve_input_is_a_form_error(admin):
    assert set_year(admin, budget="lots").status_code == 422
    assert set_year(admin, share="101").status_code == 422
    assert use(admin, "10").status_code == 422  # no year set yet
    assert admin.get("/admin/reserve/99999").status_code == 404
    assert db.session.scalar(select(func.count(ReserveYear.id))) == 0


# --- at once, over real HTTP ---------------------------------------------------------


class Admin(Fan):
    """An admin's browser against the live server."""

    def sign_in(self, email: str) -> None:
        form = {"csrf_token": self.token("/admin/login"), "email": email, "password": PASSWORD}
        assert self.request("/admin/login", form).status == 302


def at_once(calls) -> list:
    start = Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def admins(live_server, count: int) -> list[Admin]:
    make_user("admin@bruitblanc.example")
    browsers = [Admin(live_server) for _ in range(count)]
    for browser in browsers:
        browser.sign_in("admin@bruitblanc.example")
    return browsers


@pytest.mark.slow
def test_simultaneous_spends_freeze_the_budget_once(live_server, sold_release):
    budget = ReleaseBudget(release=sold_release, stop_loss_percent=100)
    budget.lines = [BudgetLine(category="ads", planned_cents=50_000, essential=False)]
    db.session.add(budget)
    db.session.commit()
    line_id, url = budget.lines[0].id, budget_url(sold_release)
    browsers = admins(live_server, 8)
    forms = [
        {
            "csrf_token": b.token(url),
            "spend-line": line_id,
            "spend-amount": "30",
            "spend-spent_on": TODAY,
        }
        for b in browsers
    ]
    calls = [
        lambda b=b, f=f: b.request(url + "/spends", f).status
        for b, f in zip(browsers, forms, strict=True)
    ]
    # 30, 60, 90 stay under the 100 € limit; 120 trips it; the four after are refused.
    assert Counter(at_once(calls)) == {302: 4, 409: 4}
    db.session.expire_all()
    assert db.session.scalar(select(func.sum(BudgetSpend.amount_cents))) == 12_000
    assert db.session.scalar(select(func.count(BudgetFreeze.id))) == 1


@pytest.mark.slow
def test_simultaneous_uses_never_take_more_than_the_reserve(live_server):
    db.session.add(ReserveYear(year=YEAR, yearly_budget_cents=1_000_000, share_percent=10))
    db.session.commit()
    browsers = admins(live_server, 8)
    forms = [
        {
            "csrf_token": b.token(reserve_url()),
            "use-amount": "300",
            "use-used_on": TODAY,
            "use-reason": f"Opportunity {n}",
            "use-release": "",
        }
        for n, b in enumerate(browsers)
    ]
    calls = [
        lambda b=b, f=f: b.request(reserve_url("/uses"), f).status
        for b, f in zip(browsers, forms, strict=True)
    ]
    assert Counter(at_once(calls)) == {302: 3, 409: 5}
    db.session.expire_all()
    assert db.session.scalar(select(func.sum(ReserveUse.amount_cents))) == 90_000
