"""The weekly ritual: the six checks read a known week to the right figures and reds,
the page links where to act, and the Monday mail goes once per week to every admin."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from storefront.budgets.models import BudgetLine, BudgetSpend, ReleaseBudget
from storefront.catalog.models import StockMove, StockReason
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.fulfilment.models import Return, ReturnLine
from storefront.inventory.models import RestockOrder
from storefront.mail.models import OutboxMessage
from storefront.orders.models import Order, OrderLine
from storefront.preorders.models import Backing
from storefront.ritual.mailing import mail_weekly_ritual
from storefront.ritual.models import RitualMailing
from storefront.ritual.weekly import last_week, week_of, weekly_ritual
from tests.support.staff import make_user

WEEK = last_week(utcnow().date())
IN_WEEK = WEEK.starts_at + timedelta(days=2, hours=10)


def paid_order(product, *, paid_at, reference: str, status: str = "paid") -> Order:
    order = Order(
        reference=reference, status=status, email=f"{reference.lower()}@example.org",
        subtotal_cents=2400, shipping_cents=0, total_cents=2400, provider="test",
        created_at=paid_at, paid_at=paid_at, reserved_until=paid_at + timedelta(minutes=30),
        ship_name="Camille", ship_line1="3 rue du Sillon", ship_postal_code="69001",
        ship_city="Lyon", ship_country="FR",
    )  # fmt: skip
    order.lines = [
        OrderLine(product=product, description=product.describe(), kind=product.kind,
                  unit_price_cents=2400, quantity=1)
    ]  # fmt: skip
    db.session.add(order)
    db.session.flush()
    return order


def move(product, delta: int, reason: StockReason) -> None:
    db.session.add(StockMove(product_id=product.id, option_id=None, delta=delta, reason=reason,
                             actor="shop", at=IN_WEEK))  # fmt: skip


def a_busy_week(make_product, make_campaign):
    """Sales of 3 units with 1 given back, 2 lost; one return of 1 unit; a restock in;
    a vinyl at 10 of a 100-unit run (threshold 25); a campaign 10 units short of 100
    closing in 5 days; 50.00 EUR of ads; a parcel paid 10 days ago still waiting."""
    vinyl = make_product(stock=10)
    vinyl.last_run = 100
    for delta, reason in ((-3, StockReason.SALE), (1, StockReason.RELEASE), (-2, StockReason.LOSS)):
        move(vinyl, delta, reason)
    waiting = paid_order(vinyl, paid_at=utcnow() - timedelta(days=10), reference="WAIT1")
    returned = paid_order(vinyl, paid_at=IN_WEEK - timedelta(days=1), reference="BACK1",
                          status="shipped")  # fmt: skip
    back = Return(order=returned, reason="damaged", outcome="restock", actor="admin@x.org",
                  created_at=IN_WEEK)  # fmt: skip
    back.lines = [ReturnLine(order_line=returned.lines[0], quantity=1)]
    db.session.add(back)
    db.session.add(RestockOrder(product=vinyl, quantity=50, actor="admin@x.org",
                                ordered_at=IN_WEEK - timedelta(days=20), received_at=IN_WEEK,
                                received_quantity=50))  # fmt: skip
    campaign = make_campaign(goals=(("pressing", 100, "none", "Pressing"),),
                             opens_in=timedelta(days=-14), closes_in=timedelta(days=5))  # fmt: skip
    preorder = paid_order(campaign.products[0], paid_at=IN_WEEK, reference="PRE1")
    db.session.add(Backing(campaign=campaign, order=preorder, email=preorder.email, units=90,
                           amount_cents=2400, paid_at=IN_WEEK))  # fmt: skip
    budget = ReleaseBudget(release=vinyl.release)
    line = BudgetLine(budget=budget, category="ads", label="Social ads", planned_cents=10_000)
    line.spends = [BudgetSpend(amount_cents=5_000, spent_on=IN_WEEK.date(), actor="admin@x.org")]
    db.session.add(budget)
    db.session.commit()
    return vinyl, campaign, waiting


def section(ritual, key: str):
    return next(s for s in ritual.sections if s.key == key)


def test_each_check_tells_the_weeks_changes_and_what_is_red(make_product, make_campaign):
    vinyl, campaign, _waiting = a_busy_week(make_product, make_campaign)
    ritual = weekly_ritual(db.session, week=WEEK, now=utcnow())

    stock = section(ritual, "stock")
    # SALE -3 and RELEASE +1: 2 units left with orders; the loss apart.
    assert stock.changes == (
        "2 units left with orders.", "1 return · 1 unit", "1 restock order arrived.",
        "2 units lost.",
    )  # fmt: skip
    assert f"{vinyl.describe()}: 10 left, under 25." in stock.reds

    preorders = section(ritual, "preorders")
    assert preorders.changes == (f"{campaign.release.title}: 90 this week, 90 of 100.",)
    assert any("needs 10 more" in red for red in preorders.reds)

    assert section(ritual, "ads").changes == ("€50.00 spent on ads.",)
    assert section(ritual, "press").reds[0] == (
        "This week's organic playlist adds are not typed in yet."
    )
    fans = section(ritual, "fans")
    assert fans.reds[0] == "1 paid order has waited more than 7 days for its parcel."
    assert section(ritual, "shop").changes == ("3 of 3 checkouts paid.",)


def test_a_quiet_week_has_nothing_red_but_the_missing_playlist_figure(app):
    ritual = weekly_ritual(db.session, week=week_of(date(2025, 1, 8)), now=utcnow())
    assert [s.key for s in ritual.sections] == [
        "stock",
        "preorders",
        "ads",
        "press",
        "fans",
        "shop",
    ]
    assert ritual.red_count == 1  # "not typed in yet": the press check asks for it
    assert section(ritual, "preorders").changes == ("No campaign open.",)


def test_the_page_shows_every_check_with_links_to_act(admin, make_product, make_campaign):
    a_busy_week(make_product, make_campaign)
    html = admin.get("/admin/ritual").get_data(as_text=True)
    for title in ("Stock and returns", "Preorders", "Active ads", "Press and radio",
                  "Fan support", "Shop quality"):  # fmt: skip
        assert title in html
    assert "10 left, under 25." in html
    assert 'href="/admin/orders?status=paid"' in html and 'href="/admin/budgets"' in html
    earlier = admin.get(f"/admin/ritual?week={(WEEK.start - timedelta(days=7)).isoformat()}")
    assert "10 left, under 25." in earlier.get_data(as_text=True)  # the alert is the current one
    assert "2 units left with orders." not in earlier.get_data(as_text=True)


def test_a_week_that_is_no_date_shows_last_week_with_a_message(admin):
    response = admin.get("/admin/ritual?week=lundi")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Write the week as a date" in html and WEEK.start.strftime("%Y") in html


def test_only_admins_hold_the_ritual(staff):
    assert staff.get("/admin/ritual").status_code == 403


def outbox(kind: str = "weekly_ritual") -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).filter_by(kind=kind)))


def test_the_monday_mail_goes_once_a_week_to_every_admin(app, make_product, make_campaign):
    a_busy_week(make_product, make_campaign)
    for email in ("ana@bruitblanc.example", "bo@bruitblanc.example"):
        make_user(email=email, role="admin")
    make_user(email="staff@bruitblanc.example", role="staff")
    assert mail_weekly_ritual(db.session, now=utcnow()) == 2
    assert mail_weekly_ritual(db.session, now=utcnow()) == 0
    messages = outbox()
    assert sorted(m.recipient for m in messages) == [
        "ana@bruitblanc.example",
        "bo@bruitblanc.example",
    ]
    body = messages[0].body
    assert "== Stock and returns (Logistics) ==" in body and "! 1 paid order has waited" in body
    assert f"{app.config['PUBLIC_URL'].rstrip('/')}/admin/ritual?week={WEEK.start}" in body
    assert f"week of {WEEK.start.isoformat()}" in messages[0].subject


def test_two_job_runners_at_once_send_it_once(app):
    make_user(email="ana@bruitblanc.example", role="admin")
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def runner():
        with app.app_context():
            barrier.wait()
            counts.append(mail_weekly_ritual(db.session, now=utcnow()))
            db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 1]
    assert len(outbox()) == 1
    assert db.session.scalar(select(func.count()).select_from(RitualMailing)) == 1


def test_the_job_command_sends_it(app):
    make_user(email="ana@bruitblanc.example", role="admin")
    result = app.test_cli_runner().invoke(args=["ritual", "send"])
    assert result.exit_code == 0 and "ritual mailed to 1 admin(s)" in result.output
    assert len(outbox()) == 1
