"""What the label edits on the dashboard: an indicator's zone, a week's playlist adds."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import Release
from storefront.database import transactional
from storefront.errors import StorefrontError
from storefront.kpis.indicators import RULES_BY_KEY, zone_problem
from storefront.kpis.models import IndicatorZone, PlaylistAdds

MAX_PLAYLIST_ADDS = 1_000_000

ZONE_PROBLEMS = {
    "negative": _l("Zones cannot be negative."),
    "over_100": _l("A share cannot be over 100 %."),
    "healthy_not_above": _l(
        "For this indicator more is better: the healthy bound must be above the alert threshold."
    ),
    "healthy_not_below": _l(
        "For this indicator less is better: the healthy bound must be below the alert threshold."
    ),
}


class KpiRefused(StorefrontError):
    code = "kpi_refused"
    status = 422


@transactional
def save_zone(
    session: Session, *, indicator: str, healthy: int, alert: int, actor: str, now: datetime
) -> IndicatorZone:
    """Keep the label's healthy bound and alert threshold (hundredths) for `indicator`."""
    rule = RULES_BY_KEY.get(indicator)
    if rule is None:
        raise KpiRefused(_l("There is no such indicator."))
    problem = zone_problem(rule, healthy=healthy, alert=alert)
    if problem:
        raise KpiRefused(ZONE_PROBLEMS[problem])
    zone = session.scalar(select(IndicatorZone).where(IndicatorZone.indicator == indicator))
    if zone is None:
        zone = IndicatorZone(indicator=indicator)
        session.add(zone)
    zone.healthy, zone.alert, zone.updated_by, zone.updated_at = healthy, alert, actor, now
    return zone


@transactional
def save_playlist_adds(
    session: Session,
    *,
    week: date,
    release_id: int | None,
    adds: int,
    actor: str,
    now: datetime,
) -> PlaylistAdds:
    """Keep the playlist adds of the week `week` falls in (typed again: replaced)."""
    if not 0 <= adds <= MAX_PLAYLIST_ADDS:
        raise KpiRefused(_l("Type a number of adds from 0 to 1,000,000."))
    if release_id is not None and session.get(Release, release_id) is None:
        raise KpiRefused(_l("There is no such release."))
    monday = date.fromordinal(week.toordinal() - week.weekday())
    row = session.scalar(
        select(PlaylistAdds).where(
            PlaylistAdds.week == monday, PlaylistAdds.release_id.is_not_distinct_from(release_id)
        )
    )
    if row is None:
        row = PlaylistAdds(week=monday, release_id=release_id)
        session.add(row)
    row.adds, row.actor, row.updated_at = adds, actor, now
    return row
