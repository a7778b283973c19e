"""Every admin URL walked with every role: admin (everything), staff (orders, fulfilment,
the stand, reading the catalog), stand (the stand only), and nobody signed in.

The rule is written here by hand, endpoint by endpoint, from the issue's words, so the
walk checks the one guard (`storefront.admin.access`) against the label's rule rather than
against itself; a new admin route fails `test_every_admin_url_has_a_rule` until it is
given one here."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from storefront.clock import utcnow
from storefront.extensions import db
from tests.conftest import csrf_token_from
from tests.support.staff import signed_in

ADMIN, STAFF, READS, STAND, SIGNED_IN, PUBLIC = (
    "admin", "staff", "staff_reads", "stand", "signed_in", "public",
)  # fmt: skip
ROLES = ("anonymous", "stand", "staff", "admin")
# Who may open (GET) and who may send (POST) each rule's pages.
OPENS = {
    PUBLIC: set(ROLES), SIGNED_IN: {"stand", "staff", "admin"}, STAND: {"stand", "staff", "admin"},
    STAFF: {"staff", "admin"}, READS: {"staff", "admin"}, ADMIN: {"admin"},
}  # fmt: skip
SENDS = {**OPENS, READS: {"admin"}}

POLICY: dict[str, str] = {}  # filled in below, endpoint by endpoint


def _rule(level: str, *endpoints: str) -> None:
    for endpoint in endpoints:
        POLICY[endpoint] = level


_rule(PUBLIC, "admin.login")
_rule(SIGNED_IN, "admin.logout")
_rule(STAND, *(f"stand.{name}" for name in (
    "home", "gig", "gig_item", "gig_sell", "gig_summary", "sale_cancel", "sale_qr", "sales_json",
)))  # fmt: skip
# Orders and fulfilment: staff run them; money going back is for admins.
_rule(STAFF, "admin.index", "admin.orders", "admin.order_detail", "admin.order_ship",
      "admin.order_cancel", "admin.order_resend")  # fmt: skip
_rule(ADMIN, "admin.order_refund")
# The stand's stock before and after the night.
_rule(STAFF, "admin.gig_stand", "admin.gig_stand_allocate", "admin.gig_stand_reconcile")
# Fans: staff answer them (support), the exports and notes are admins'.
_rule(STAFF, "admin.fans", "admin.fan_profile_page")
_rule(ADMIN, "admin.fan_note", "admin.fans_export")
# The catalog: staff read it.
_rule(READS, "admin.releases", "admin.release_edit", "admin.product_edit", "admin.track_edit",
      "admin.tours", "admin.tour_edit", "admin.gig_edit", "admin.gig_quest", "admin.campaigns",
      "admin.campaign_detail", "admin.campaign_packing", "admin.editions", "admin.edition_log",
      "admin.edition_packing", "admin.badges", "admin.gig_poster", "admin.gig_screen")  # fmt: skip
_rule(ADMIN, "admin.release_new", "admin.product_new", "admin.track_add", "admin.track_delete",
      "admin.tour_new", "admin.tour_delete", "admin.gig_new", "admin.gig_delete",
      "admin.gig_quest_rotate", "admin.badge_new", "admin.badge_edit", "admin.badge_delete",
      "admin.campaign_new", "admin.campaign_update", "admin.campaign_close",
      "admin.campaign_close_confirm", "admin.goal_add", "admin.goal_edit", "admin.goal_delete",
      "admin.bonus_add", "admin.bonus_edit", "admin.bonus_delete", "admin.campaign_pool_add",
      "admin.campaign_pool_edit", "admin.campaign_pool_delete", "admin.edition_new",
      "admin.edition_detail", "admin.edition_update", "admin.edition_close",
      "admin.edition_close_confirm", "admin.edition_cards", "admin.edition_cards_csv",
      "admin.edition_pool_add", "admin.edition_pool_edit", "admin.edition_pool_delete")  # fmt: skip
# Fulfilment: staff pick, pack and post; returns move money and are admins'.
_rule(STAFF, "admin.fulfilment", "admin.fulfilment_ship", "admin.fulfilment_print",
      "admin.fulfilment_addresses", "admin.fulfilment_import", "admin.fulfilment_import_confirm",
      "admin.fulfilment_batch", "admin.fulfilment_batch_ship", "admin.fulfilment_batch_print",
      "admin.order_parcel")  # fmt: skip
_rule(ADMIN, "admin.order_return")
# Stock: staff read it with the catalog; counts, losses, thresholds and restocks are admins'.
_rule(READS, "admin.stock_list", "admin.stock_product")
_rule(ADMIN, "admin.stock_count", "admin.stock_loss", "admin.stock_threshold",
      "admin.stock_restock", "admin.stock_receive")  # fmt: skip
# Distributors, budgets and the reserve, the dashboard: the label's money, admins'.
_rule(ADMIN, "admin.distributors", "admin.distributor_new", "admin.distributor_edit",
      "admin.distributor_detail", "admin.distributor_allocate", "admin.distributor_return",
      "admin.distributor_sale", "admin.distributor_import", "admin.budgets",
      "admin.budget_release", "admin.budget_rule", "admin.budget_lift", "admin.budget_line_add",
      "admin.budget_line_edit", "admin.budget_line_remove", "admin.budget_spend_add",
      "admin.reserve", "admin.reserve_year", "admin.reserve_year_save", "admin.reserve_use_add",
      "admin.reserve_outcome", "admin.dashboard", "admin.dashboard_csv",
      "admin.dashboard_channels_csv", "admin.dashboard_zone",
      "admin.dashboard_playlists")  # fmt: skip
# Members, posts, the newsletter, the label's figures and its log: admins.
_rule(ADMIN, "admin.tiers", "admin.tier_new", "admin.tier_edit", "admin.liner_notes",
      "admin.liner_notes_csv", "admin.posts", "admin.post_new", "admin.post_edit",
      "admin.post_delete", "admin.newsletter", "admin.newsletter_new", "admin.newsletter_mailing",
      "admin.newsletter_send", "admin.newsletter_test", "admin.audit", "admin.ritual")  # fmt: skip


def _admin_rules(app):
    return [
        rule for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("admin.", "stand."))
    ]  # fmt: skip


def test_every_admin_url_has_a_rule(app):
    endpoints = {rule.endpoint for rule in _admin_rules(app)}
    assert sorted(endpoints - POLICY.keys()) == [], "give these routes a rule in POLICY"
    assert sorted(POLICY.keys() - endpoints) == [], "these routes are gone: drop their rule"


def _first(model, column="id"):
    return db.session.scalar(select(getattr(model, column)).order_by(model.id).limit(1))


def _arguments() -> dict[str, object]:
    """A value for each URL variable, from the demo label."""
    from storefront import models

    ids = {
        "release_id": models.Release, "product_id": models.Product, "track_id": models.Track,
        "tour_id": models.Tour, "gig_id": models.Gig, "campaign_id": models.Campaign,
        "edition_id": models.Edition, "goal_id": models.Goal, "bonus_id": models.Bonus,
        "pool_id": models.InsertPool, "badge_id": models.Badge, "tier_id": models.Tier,
        "post_id": models.MemberPost, "mailing_id": models.Mailing,
        "distributor_id": models.Distributor, "line_id": models.BudgetLine,
        "use_id": models.ReserveUse, "restock_id": models.RestockOrder,
    }  # fmt: skip
    values: dict[str, object] = {name: _first(model) for name, model in ids.items()}
    values["reference"] = _first(models.Order, "reference")
    values["fmt"] = "svg"
    values["indicator"] = "average_basket"
    values["year"] = utcnow().year
    return values


def _url(rule, values: dict[str, object]) -> str:
    missing = sorted(set(rule.arguments) - values.keys())
    assert not missing, f"{rule.endpoint}: add a demo value for {missing}"
    return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def _load_demo(app) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def _client_as(app, role: str):
    client = app.test_client()
    return client if role == "anonymous" else signed_in(client, role)


def _refused(response, role: str) -> bool:
    if role == "anonymous":
        return response.status_code == 302 and "/admin/login" in response.location
    return response.status_code == 403


def test_each_role_opens_exactly_the_pages_its_rule_gives(app):
    _load_demo(app)  # once for every role: it takes seconds
    with app.test_request_context():
        values = _arguments()
        pages = [(rule, _url(rule, values)) for rule in _admin_rules(app) if "GET" in rule.methods]
    wrong = []
    for role in ROLES:
        client = _client_as(app, role)
        for rule, url in pages:
            response = client.get(url)
            allowed = role in OPENS[POLICY[rule.endpoint]]
            if response.status_code >= 500 or _refused(response, role) == allowed:
                wrong.append(f"{role} {rule.endpoint} {url}: {response.status_code}")
    assert wrong == []


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_forms_a_role_may_not_send_are_refused_and_change_nothing(app):
    _load_demo(app)
    with app.test_request_context():
        values = _arguments()
        forms = [(rule, _url(rule, values)) for rule in _admin_rules(app) if "POST" in rule.methods]
    before = _row_counts()
    wrong = []
    for role in ("anonymous", "stand", "staff"):
        client = _client_as(app, role)
        page = "/admin/login" if role == "anonymous" else "/stand/"
        token = csrf_token_from(client.get(page).get_data(as_text=True))
        for rule, url in forms:
            if role in SENDS[POLICY[rule.endpoint]]:
                continue
            if not _refused(client.post(url, data={"csrf_token": token}), role):
                wrong.append(f"{role} {rule.endpoint} {url}")
    assert wrong == []
    db.session.expire_all()
    after = _row_counts()
    # Signing the three roles in made their accounts; nothing else may have changed.
    assert {name: count for name, count in after.items() if name != "user_account"} == {
        name: count for name, count in before.items() if name != "user_account"
    }
