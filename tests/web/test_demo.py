"""`flask demo load` fills an empty shop with the Bruit Blanc label, and only an empty one."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from storefront.catalog.models import Product, Release
from storefront.clock import utcnow
from storefront.editions.models import Edition
from storefront.editions.services import fairness
from storefront.editions.verify import check
from storefront.extensions import db
from storefront.inserts.models import InsertAward
from storefront.jsonout import json_time
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


def _failed_campaign_id() -> int:
    return db.session.scalar(select(Campaign.id).where(Campaign.outcome == "failed"))
