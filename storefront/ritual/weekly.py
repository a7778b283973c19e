"""The weekly ritual, assembled once for the page and the Monday mail: the seed's six
checks, each with who leads it, what it should decide, what changed in the week, what
is red (its own facts and its indicators in alert on the KPI board) and where to act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import LazyString, format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from storefront.budgets.stoploss import frozen_budgets
from storefront.catalog.models import StockReason
from storefront.inventory.alerts import products_under_threshold
from storefront.kpis.dashboard import Dashboard, read_dashboard
from storefront.kpis.indicators import State
from storefront.kpis.periods import Period
from storefront.money import format_cents
from storefront.ritual import facts


@dataclass(frozen=True)
class Action:
    """A link to where the label acts: an endpoint of the admin and its arguments."""

    endpoint: str
    label: LazyString
    args: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class RitualSection:
    key: str
    title: LazyString
    who: LazyString  # who leads it, as the seed's table says
    output: LazyString  # what the check should end with
    changes: tuple[str, ...]
    reds: tuple[str, ...]
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class WeeklyRitual:
    week: Period  # Monday to Sunday

    sections: tuple[RitualSection, ...]

    @property
    def red_count(self) -> int:
        return sum(len(section.reds) for section in self.sections)


def week_of(day: date) -> Period:
    """The Monday-to-Sunday week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6))


def last_week(today: date) -> Period:
    """The last full week before `today`'s: what a Monday's ritual looks back on."""
    return week_of(today - timedelta(days=7))


def weekly_ritual(session: Session, *, week: Period, now: datetime) -> WeeklyRitual:
    """The six checks for `week`, read at `now`."""
    board = read_dashboard(session, period=week, release_id=None)
    since, until = week.starts_at, week.ends_before
    return WeeklyRitual(
        week=week,
        sections=(
            _stock(session, board, since, until),
            _preorders(session, board, since, until, now),
            _ads(session, board, week),
            _press(session, board, week),
            _fans(session, board, since, until, now),
            _shop(session, since, until),
        ),
    )


def _red_indicators(board: Dashboard, keys: tuple[str, ...]) -> list[str]:
    """The board's indicators in alert among `keys`, with the seed's simple action."""
    return [
        _(
            "%(indicator)s is in alert: %(action)s.",
            indicator=view.texts.title,
            action=view.texts.simple,
        )
        for view in board.indicators
        if view.key in keys and view.state == State.ALERT
    ]


def _stock(session, board, since, until) -> RitualSection:
    moves = facts.stock_moves(session, since, until)
    returned, units = facts.returns(session, since, until)
    changes = [
        ngettext(
            "%(num)d unit left with orders.",
            "%(num)d units left with orders.",
            facts.sale_units(moves),
        ),
        ngettext("%(num)d return", "%(num)d returns", returned)
        + " · "
        + ngettext("%(num)d unit", "%(num)d units", units),
        ngettext(
            "%(num)d restock order arrived.",
            "%(num)d restock orders arrived.",
            facts.restocks_received(session, since, until),
        ),
    ]
    if losses := -moves.get(StockReason.LOSS, 0):
        changes.append(ngettext("%(num)d unit lost.", "%(num)d units lost.", losses))
    reds = [
        _(
            "%(item)s: %(left)d left, under %(limit)d.",
            item=low.label,
            left=low.units_left,
            limit=low.threshold,
        )
        for low in products_under_threshold(session)
    ]
    reds += _red_indicators(board, ("returns_rate", "median_restock_days"))
    return RitualSection(
        "stock",
        _l("Stock and returns"),
        _l("Logistics"),
        _l("Restock decisions: avoid running out."),
        tuple(changes),
        tuple(reds),
        (
            Action("admin.stock_list", _l("Stock")),
            Action("admin.fulfilment", _l("To ship")),
        ),
    )


def _preorders(session, board, since, until, now) -> RitualSection:
    campaigns = facts.open_campaigns(session, since, until)
    changes = [
        _(
            "%(title)s: %(week)d this week, %(backed)d of %(goal)d.",
            title=c.title,
            week=c.backed_this_week,
            backed=c.backed,
            goal=c.goal,
        )
        for c in campaigns
    ] or [_("No campaign open.")]
    soon = now + timedelta(days=facts.CLOSING_SOON_DAYS)
    reds = [
        _(
            "%(title)s closes on %(day)s and needs %(short)d more.",
            title=c.title,
            day=format_date(c.closes_at),
            short=c.short,
        )
        for c in campaigns
        if c.short and c.closes_at <= soon
    ]
    reds += _red_indicators(
        board, ("preorder_conversion", "average_basket", "direct_share", "stand_share")
    )
    return RitualSection(
        "preorders",
        _l("Preorders"),
        _l("Sales"),
        _l("An adjusted pitch: one strong message."),
        tuple(changes),
        tuple(reds),
        (Action("admin.campaigns", _l("Campaigns")), Action("admin.dashboard", _l("Dashboard"))),
    )


def _ads(session, board, week: Period) -> RitualSection:
    spent = facts.ads_spent(session, week.start, week.end)
    changes = [_("%(amount)s spent on ads.", amount=format_cents(spent, locale=str(get_locale())))]
    reds = [
        _("%(title)s: its budget is frozen by its stop-loss.", title=frozen.release_title)
        for frozen in frozen_budgets(session)
    ]
    reds += _red_indicators(board, ("acquisition_cost",))
    return RitualSection(
        "ads",
        _l("Active ads"),
        _l("Marketing"),
        _l("Cuts and boosts: limit the losses."),
        tuple(changes),
        tuple(reds),
        (Action("admin.budgets", _l("Budgets")),),
    )


def _press(session, board, week: Period) -> RitualSection:
    typed = facts.playlist_adds_typed(session, week.start)
    coming = facts.coming_releases(session, week.end + timedelta(days=1))
    changes = [
        _(
            "%(title)s comes out on %(day)s.",
            title=release.title,
            day=format_date(release.release_date),
        )
        for release in coming
    ]
    if typed is not None:
        changes.insert(
            0, ngettext("%(num)d organic playlist add.", "%(num)d organic playlist adds.", typed)
        )
    reds = (
        [] if typed is not None else [_("This week's organic playlist adds are not typed in yet.")]
    )
    reds += _red_indicators(board, ("playlist_adds",))
    return RitualSection(
        "press",
        _l("Press and radio"),
        _l("Promotion"),
        _l("Follow-ups: a clean calendar."),
        tuple(changes) or (_("No release in the next six weeks."),),
        tuple(reds),
        (
            Action("admin.dashboard", _l("Type the playlist adds")),
            Action("admin.releases", _l("Releases")),
        ),
    )


def _fans(session, board, since, until, now) -> RitualSection:
    waiting = facts.parcels_waiting(session, now)
    problems = facts.payment_problems(session, since, until)
    changes = [
        ngettext(
            "%(num)d new subscriber.",
            "%(num)d new subscribers.",
            facts.new_subscribers(session, since, until),
        ),
        ngettext(
            "%(num)d payment problem reported.", "%(num)d payment problems reported.", problems
        ),
    ]
    reds = []
    if waiting:
        reds.append(
            ngettext(
                "%(num)d paid order has waited more than %(days)d days for its parcel.",
                "%(num)d paid orders have waited more than %(days)d days for their parcel.",
                waiting,
                days=facts.WAITING_DAYS,
            )
        )
    reds += _red_indicators(board, ("returning_fans", "newsletter_subscribers"))
    return RitualSection(
        "fans",
        _l("Fan support"),
        _l("Community"),
        _l("Answers: keep the human link."),
        tuple(changes),
        tuple(reds),
        (
            Action("admin.orders", _l("Orders"), (("status", "paid"),)),
            Action("admin.fans", _l("Fans")),
        ),
    )


def _shop(session, since, until) -> RitualSection:
    started, paid = facts.checkouts(session, since, until)
    changes = [_("%(paid)d of %(started)d checkouts paid.", paid=paid, started=started)]
    reds = [
        _("%(item)s is sold out but still on sale.", item=item)
        for item in facts.sold_out_on_sale(session)
    ]
    if started >= 10 and paid * 2 < started:
        reds.append(_("More than half of the checkouts were not paid: look at the payment page."))
    return RitualSection(
        "shop",
        _l("Shop quality"),
        _l("Web"),
        _l("Corrections: zero friction."),
        tuple(changes),
        tuple(reds),
        (Action("admin.releases", _l("Releases")), Action("admin.orders", _l("Orders"))),
    )
