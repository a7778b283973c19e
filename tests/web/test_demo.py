"""`flask demo load` fills an empty shop with the Bruit Blanc label, and only an empty one."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from storefront.budgets.figures import budget_figures
from storefront.budgets.models import BudgetCategory, BudgetSpend
from storefront.budgets.reserve import reserve_figures, reserve_for
from storefront.budgets.spending import budget_of
from storefront.catalog.models import Product, Release
from storefront.channels.models import Distributor
from storefront.channels.services import distributor_summary
from storefront.clock import utcnow
from storefront.editions.models import Edition
from storefront.editions.services import fairness
from storefront.editions.verify import check
from storefront.extensions import db
from storefront.fulfilment.models import Return, Shipment
from storefront.fulfilment.picking import waiting_orders
from storefront.inserts.models import InsertAward
from storefront.inventory.alerts import products_under_threshold
from storefront.inventory.models import RestockOrder
from storefront.jsonout import json_time
from storefront.kpis.dashboard import read_dashboard
from storefront.kpis.models import PlaylistAdds
from storefront.kpis.periods import preset
from storefront.members.liner import liner_names
from storefront.members.models import MemberPost, Membership
from storefront.newsletter.models import Mailing
from storefront.newsletter.segments import Segment, select_subscribers
from storefront.orders.models import Order
from storefront.preorders.models import Backing, Campaign
from storefront.preorders.services import paid_units
from storefront.quests.models import BadgeGrant, Quest, Stamp
from storefront.stand.summary import night_summary
from tests.support.quests import poster_url
from tests.support.staff import signed_in


def test_demo_label_loads_once_and_makes_a_believable_shop(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    releases = db.session.scalars(select(Release)).all()
    assert len(releases) == 4
    kinds = {product.kind for product in db.session.scalars(select(Product))}
    assert kinds == {"vinyl", "cd", "cassette", "digital", "merch"}
    shirt = db.session.scalar(select(Product).where(Product.kind == "merch"))
    assert [option.label for option in shirt.options] == ["S", "M", "L", "XL"]
    for product in db.session.scalars(select(Product).where(Product.kind == "digital")):
        assert (Path(app.config["PRIVATE_DIR"]) / product.download_path).is_file()
    release = releases[0]
    page = client.get(f"/releases/{release.slug}").get_data(as_text=True)
    cover = client.get(f"/media/{release.cover_path}")
    cover.close()
    assert cover.status_code == 200
    assert "<audio" in page

    states = _campaign_states()
    assert states["drone-atlas-cartographie-lente"][0] == "open"
    assert 80 <= states["drone-atlas-cartographie-lente"][1] < 100, "close to its unlock"
    assert states["duo-granulaire-grains-de-sable"][0] == "succeeded"
    assert states["duo-granulaire-grains-de-sable"][2] == 2, "pressing and live session reached"
    assert states["ensemble-electro-libre-architecture-rythmique"][:2] == ("failed", 0)
    refunded = db.session.scalars(
        select(Order.status).join(Backing).where(Backing.campaign_id == _failed_campaign_id())
    ).all()
    assert refunded and set(refunded) == {"refunded"}

    tour = client.get("/api/v1/gigs").json
    tonight = [gig for gig in tour["upcoming"] if gig["doors_at"] <= json_time(utcnow())]
    assert [gig["city"] for gig in tonight] == ["Lausanne"], "one night on as the demo loads"
    assert len(tour["past"]) == 3 and len(tour["upcoming"]) == 4

    _check_quests(app, client)
    _check_members(app, client)
    _check_operations(app)

    editions = {e.name: e for e in db.session.scalars(select(Edition))}
    grains = next(e for name, e in editions.items() if name.startswith("Grains"))
    tour = next(e for name, e in editions.items() if name.startswith("Retours"))
    assert fairness(db.session, grains)["server_seed"] is None, "open: the seed stays secret"
    assert db.session.scalar(select(func.count(InsertAward.id))) > 0
    tour_data = fairness(db.session, tour)
    assert len(tour_data["log"]) == 30 and check(tour_data) == []
    assert any(entry["seed_made_by_server"] for entry in tour_data["log"])

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code != 0 and "empty" in again.output.lower()
    assert runner.invoke(args=["demo", "load", "--skip-if-loaded"]).exit_code == 0
    assert len(db.session.scalars(select(Release)).all()) == 4


def _check_quests(app, client) -> None:
    """Every gig has a quest whose fragment is on disk; tonight's takes a scan now, past
    ones have ended, future ones are not open; regulars hold the three-city badge."""
    quests = {quest.gig.city: quest for quest in db.session.scalars(select(Quest))}
    assert len(quests) == 7
    for quest in quests.values():
        if quest.fragment_file:
            assert (Path(app.config["PRIVATE_DIR"]) / quest.fragment_file).is_file()
        assert quest.stamps_given == len(
            db.session.scalars(select(Stamp).where(Stamp.quest_id == quest.id)).all()
        )
    statuses = {
        city: client.get(poster_url(app, quest)).status_code for city, quest in quests.items()
    }
    assert statuses == {
        "Lyon": 410,
        "Grenoble": 410,
        "Genève": 410,
        "Lausanne": 200,
        "Bruxelles": 200,
        "Lille": 200,
        "Nantes": 200,
    }
    again = client.get(poster_url(app, quests["Lausanne"])).get_data(as_text=True)
    assert "Already in your passport: Lausanne" in again, "the first scan gave the stamp"
    assert "not open yet" in client.get(poster_url(app, quests["Lille"])).get_data(as_text=True)
    badges = db.session.scalars(select(BadgeGrant)).all()
    assert len(badges) == 4 and {grant.badge.name for grant in badges} == {"Trois villes"}
    geneve = night_summary(db.session, quests["Genève"].gig)
    assert geneve.reconciled and geneve.sales == 3
    assert [row.missing for row in geneve.stock] == [0, 0, 1], "a T-shirt in L went missing"
    tonight = night_summary(db.session, quests["Lausanne"].gig)
    assert not tonight.reconciled and tonight.sales == 2 and tonight.cash_expected > 0


def _campaign_states() -> dict[str, tuple[str, int, int]]:
    """slug -> (state, paid units, goals reached) of each release's first campaign."""
    now = utcnow()
    latest_first = select(Campaign).order_by(Campaign.opens_at.desc())
    return {
        campaign.release.slug: (
            campaign.state(now),
            paid_units(db.session, campaign),
            sum(goal.reached_at is not None for goal in campaign.goals),
        )
        for campaign in db.session.scalars(latest_first)
    }


def _check_members(app, client) -> None:
    """The three tiers of DEMO.md, members in each state that keeps benefits, their
    diaries, a campaign members enter early, and a list with a draft mailing."""
    now = utcnow()
    page = client.get("/members").get_data(as_text=True)
    assert all(name in page for name in ("Ami", "Soutien", "Mécène"))
    states = sorted(m.state for m in db.session.scalars(select(Membership)))
    assert states == ["active", "active", "canceled", "past_due"]
    grace = timedelta(days=app.config["MEMBERSHIP_GRACE_DAYS"])
    assert all(m.keeps_benefits(now, grace) for m in db.session.scalars(select(Membership)))
    assert liner_names(db.session, now=now, grace=grace) == ["Ana Morel (Grenoble)"]
    for post in db.session.scalars(select(MemberPost)):
        assert (Path(app.config["PRIVATE_DIR"]) / post.image_file).is_file()
        assert (Path(app.config["PRIVATE_DIR"]) / post.audio_file).is_file()
    upcoming = db.session.scalar(select(Campaign).where(Campaign.opens_at > now))
    assert upcoming.early_opens_at == upcoming.opens_at - timedelta(hours=72)
    receiving = select_subscribers(db.session, Segment(), now, grace=grace)
    assert len(receiving) == 4
    assert [m.status for m in db.session.scalars(select(Mailing))] == ["draft"]


def _check_operations(app) -> None:
    """The label at work: a repress received and cassettes on order, the one product under
    its threshold on the stock page and the dashboard, a distributor's and a record shop's
    sales and return, the open campaign's budget under its stop-loss, this year's reserve,
    an order posted in two parcels, a refunded return, and the dashboard's inputs."""
    now = utcnow()
    restocks = db.session.scalars(select(RestockOrder).order_by(RestockOrder.id)).all()
    assert [r.received_at is not None for r in restocks] == [True, False]
    assert (restocks[0].received_at - restocks[0].ordered_at).days == 22
    low = products_under_threshold(db.session)
    assert [(item.label, item.threshold) for item in low] == [("Cartographie Lente — Cassette", 8)]
    assert low[0].units_left < 8 and low[0].since is not None

    partners = db.session.scalars(select(Distributor)).all()
    summaries = {partner.kind: distributor_summary(db.session, partner) for partner in partners}
    for kind, commission in (("distributor", 30), ("consignment", 35)):
        summary = summaries[kind]
        assert summary.distributor.commission_percent == commission
        assert len({row.product_id for row in summary.rows}) == 2
        assert summary.sold > 0 and summary.owed_cents > 0 and summary.orders
        assert summary.sold + summary.returned + summary.held == summary.allocated
    assert summaries["consignment"].returned == 2 and summaries["distributor"].returned == 0

    campaign = db.session.scalar(
        select(Campaign).where(Campaign.opens_at <= now).order_by(Campaign.opens_at.desc())
    )
    assert campaign.state(now) == "open"
    budget = budget_of(db.session, campaign.release)
    figures = budget_figures(db.session, campaign.release_id, budget)
    assert {line.category for line in budget.lines if line.essential} == {"pressing", "mastering"}
    ads = next(line for line in budget.lines if line.category == BudgetCategory.ADS)
    assert len(ads.spends) >= 3 and len({spend.spent_on for spend in ads.spends}) >= 3
    assert (budget.frozen_at is None) == (not figures.over_limit) and figures.counted_cents > 0
    assert db.session.scalar(select(func.count(BudgetSpend.id))) > len(ads.spends)
    reserve = reserve_for(db.session, now.year)
    assert reserve.share_percent == 10
    measured = [use for use in reserve.uses if use.measured_at is not None]
    assert len(measured) == 1 and len(reserve_figures(db.session, reserve).waiting) == 1

    parcels = db.session.execute(
        select(Shipment.order_id, func.count(Shipment.id)).group_by(Shipment.order_id)
    ).all()
    split = [order_id for order_id, count in parcels if count == 2]
    assert len(split) == 1 and db.session.get(Order, split[0]).status == "shipped"
    returned = db.session.scalars(select(Return)).all()
    assert len(returned) == 1 and returned[0].outcome == "restock"
    order = db.session.get(Order, returned[0].order_id)
    assert returned[0].refund_id and order.refunded_cents == returned[0].refund_cents > 0
    assert waiting_orders(db.session), "orders still wait for their parcel"

    weeks = db.session.scalars(select(PlaylistAdds).where(PlaylistAdds.release_id.is_(None)))
    assert len(weeks.all()) == 6
    dashboard = read_dashboard(db.session, period=preset("4w", now.date()), release_id=None)
    for key in ("preorder_conversion", "median_restock_days", "playlist_adds", "returns_rate"):
        assert dashboard.indicator(key).value is not None, key
    assert 0.02 < dashboard.indicator("preorder_conversion").value < 0.1, "a believable rate"

    admin = signed_in(app.test_client(), "admin")
    stock = admin.get("/admin/stock").get_data(as_text=True)
    assert "Cartographie Lente — Cassette</a>" in stock and "under its threshold of 8" in stock
    dashboard_page = admin.get("/admin/dashboard").get_data(as_text=True)
    assert "Under the restock threshold" in dashboard_page
    assert "Cartographie Lente — Cassette</a>:" in dashboard_page
    assert "threshold 8" in dashboard_page


def _failed_campaign_id() -> int:
    return db.session.scalar(select(Campaign.id).where(Campaign.outcome == "failed"))
