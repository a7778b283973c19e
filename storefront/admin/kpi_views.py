"""The KPI dashboard (admins only: it shows the label's takings and costs): every
indicator over a period, its trend, zone and state, the seed's actions when it is red,
the low-stock alerts and frozen budgets, and each chart as CSV."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from storefront.admin import bp
from storefront.admin.kpi_forms import PeriodForm, PlaylistForm, ZoneForm
from storefront.budgets.stoploss import frozen_budgets
from storefront.catalog.models import Release
from storefront.clock import utcnow
from storefront.csvout import csv_download, csv_text
from storefront.extensions import db
from storefront.inventory.alerts import products_under_threshold
from storefront.kpis.charts import bar_chart
from storefront.kpis.dashboard import Dashboard, IndicatorView, read_dashboard
from storefront.kpis.display import chart, plain, shown, shown_value
from storefront.kpis.indicators import RULES_BY_KEY, Unit, level
from storefront.kpis.services import KpiRefused, save_playlist_adds, save_zone
from storefront.money import format_cents
from storefront.orders.states import Channel
from storefront.shop.helpers import locale_code

CHANNEL_NAMES = {
    Channel.SHOP: _l("Shop"),
    Channel.STAND: _l("Stand"),
    Channel.DISTRIBUTOR: _l("Distributors"),
}

CSV_UNITS = {
    Unit.PERCENT: "percent",
    Unit.MONEY: "euros",
    Unit.PER_WEEK: "per_week",
    Unit.DAYS: "days",
}


@dataclass(frozen=True)
class Card:
    """One indicator as its card shows it."""

    view: IndicatorView
    value: str | None
    healthy: str
    alert: str
    chart: Markup
    form: ZoneForm


def _releases() -> list[Release]:
    return list(db.session.scalars(select(Release).order_by(Release.release_date.desc())))


def _period_form() -> PeriodForm:
    form = PeriodForm(request.args).offer(_releases())
    form.validate()
    return form


def _cards(board: Dashboard, sent: dict[str, ZoneForm]) -> list[Card]:
    locale = locale_code()
    cards = []
    for view in board.indicators:
        rule, zone = view.rule, view.zone
        form = sent.get(view.key) or ZoneForm(
            formdata=None, prefix=view.key, healthy=zone.healthy, alert=zone.alert
        )
        healthy, alert = shown(rule, zone.healthy, locale), shown(rule, zone.alert, locale)
        cards.append(
            Card(view, shown_value(view, locale), healthy, alert, chart(view, locale), form)
        )
    return cards


def _channel_chart(board: Dashboard) -> Markup:
    locale = locale_code()
    bars = [
        (str(CHANNEL_NAMES[channel]), cents, format_cents(cents, locale=locale))
        for channel, cents in board.channel_cents
    ]
    return bar_chart(bars, title=_("Sales by channel"))


def _page(form: PeriodForm, *, zones=None, playlist=None, status: int = 200):
    today = utcnow().date()
    board = read_dashboard(db.session, period=form.period(today), release_id=form.release_id())
    page = render_template(
        "admin/kpis/dashboard.html",
        board=board,
        form=form,
        query=form.query(),
        cards=_cards(board, zones or {}),
        channels=_channel_chart(board),
        playlist_form=playlist or PlaylistForm(formdata=None).offer(_releases(), today),
        low_stock=products_under_threshold(db.session),
        frozen=frozen_budgets(db.session),
    )
    return page, status


@bp.get("/dashboard")
def dashboard():
    """Every indicator over the chosen period (the last four weeks by default)."""
    form = _period_form()
    return _page(form, status=422 if form.errors else 200)


@bp.post("/dashboard/zones/<indicator>")
def dashboard_zone(indicator: str):
    """Keep an indicator's healthy zone and alert threshold."""
    if indicator not in RULES_BY_KEY:
        abort(404)
    form = ZoneForm(prefix=indicator)
    if form.validate_on_submit():
        try:
            save_zone(
                db.session,
                indicator=indicator,
                healthy=form.healthy.data,
                alert=form.alert.data,
                actor=current_user.email,
                now=utcnow(),
            )
        except KpiRefused as refused:
            form.healthy.errors = [*form.healthy.errors, refused.message]
        else:
            flash(_("Zone saved."), "success")
            return redirect(url_for("admin.dashboard", **request.args) + f"#{indicator}")
    return _page(_period_form(), zones={indicator: form}, status=422)


@bp.post("/dashboard/playlists")
def dashboard_playlists():
    """Keep a week's organic playlist adds, for one release or the whole label."""
    form = PlaylistForm().offer(_releases(), utcnow().date())
    if form.validate_on_submit():
        try:
            save_playlist_adds(
                db.session,
                week=form.week.data,
                release_id=form.release_id(),
                adds=form.adds.data,
                actor=current_user.email,
                now=utcnow(),
            )
        except KpiRefused as refused:
            form.adds.errors = [*form.adds.errors, refused.message]
        else:
            flash(_("Playlist adds saved."), "success")
            return redirect(url_for("admin.dashboard", **request.args) + "#playlist_adds")
    return _page(_period_form(), playlist=form, status=422)


@bp.get("/dashboard/channels.csv")
def dashboard_channels_csv():
    """Sales by channel over the period, in cents."""
    form = _period_form()
    board = read_dashboard(
        db.session, period=form.period(utcnow().date()), release_id=form.release_id()
    )
    rows = [(channel.value, cents) for channel, cents in board.channel_cents]
    return csv_download(csv_text(("channel", "cents"), rows), "sales-by-channel.csv")


@bp.get("/dashboard/<indicator>.csv")
def dashboard_csv(indicator: str):
    """One indicator's trend: a row per chart point, in the unit the dashboard shows."""
    if indicator not in RULES_BY_KEY:
        abort(404)
    form = _period_form()
    board = read_dashboard(
        db.session, period=form.period(utcnow().date()), release_id=form.release_id()
    )
    view = board.indicator(indicator)
    rows = [
        (
            point.start.isoformat(),
            point.days,
            "" if point.value is None else plain(level(view.rule, point.value)),
        )
        for point in view.points
    ]
    header = ("period_start", "days", CSV_UNITS[view.rule.unit])
    return csv_download(csv_text(header, rows), f"{indicator}.csv")
