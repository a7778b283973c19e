"""Every time in public JSON is written one way: UTC to the second, with a Z."""

import re
from datetime import datetime, timedelta, timezone

from storefront.clock import utcnow
from storefront.editions.services import close_edition
from storefront.extensions import db
from storefront.jsonout import json_time
from tests.conftest import fresh
from tests.support.campaigns import preorder

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def times_in(data, path: str = "") -> dict[str, str]:
    """Every `*_at` value in a JSON document, by its path."""
    if isinstance(data, list):
        return {
            k: v for i, item in enumerate(data) for k, v in times_in(item, f"{path}[{i}]").items()
        }
    if not isinstance(data, dict):
        return {}
    found = {f"{path}.{key}": value for key, value in data.items() if key.endswith("_at")}
    for key, value in data.items():
        found.update(times_in(value, f"{path}.{key}"))
    return found


def test_a_time_with_an_offset_is_written_in_utc_with_a_z():
    paris = timezone(timedelta(hours=2))
    moment = datetime(2026, 12, 2, 8, 0, 0, 123456, tzinfo=paris)
    assert json_time(moment) == "2026-12-02T06:00:00Z"
    assert json_time(None) is None


def test_every_public_json_time_has_one_format(client, make_edition, make_campaign):
    edition = make_edition(variants=(("standard", 2),))
    preorder(edition.product)
    close_edition(db.session, fresh(edition), now=utcnow())
    campaign = make_campaign(goals=[("pressing", 1, "none", "Pressing")])
    preorder(campaign.products[0])
    times = {
        **times_in(client.get(f"/api/v1/editions/{edition.id}/fairness").json, "edition"),
        **times_in(client.get(f"/api/v1/releases/{campaign.release.slug}/campaign").json, "c"),
    }
    assert {"edition.edition.opened_at", "edition.edition.closed_at"} <= set(times)
    assert {"c.opens_at", "c.closes_at", "c.goals[0].reached_at"} <= set(times)
    assert {path: value for path, value in times.items() if not ISO_UTC.match(value or "")} == {}
