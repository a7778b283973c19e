"""A member's free-download link pressed many times at once, over real HTTP and real
threads: the per-fan limit is held exactly (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from threading import Barrier

import pytest
from sqlalchemy import select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.members.downloads import free_download
from storefront.members.models import MemberDownload
from tests.support.benefits import make_member, make_tier

pytestmark = pytest.mark.slow

AT_ONCE = 12


def status_of(url: str, barrier: Barrier) -> int:
    barrier.wait()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_free_download_pressed_at_once_gives_exactly_the_limit(
    app, live_server, make_release, make_product, digital_file
):
    limit = app.config["DOWNLOAD_LIMIT"]
    fan, _ = make_member(make_tier("Gold", free_digital=True))
    release = make_release(release_date=date.today())
    make_product(release=release, kind="digital", download_path=digital_file)
    grace = timedelta(days=app.config["MEMBERSHIP_GRACE_DAYS"])
    with app.test_request_context():
        offer = free_download(db.session, fan.id, release, now=utcnow(), grace=grace)
    url = f"{live_server}/members/downloads/{offer.token}"

    barrier = Barrier(AT_ONCE)
    with ThreadPoolExecutor(AT_ONCE) as pool:
        statuses = Counter(pool.map(lambda _: status_of(url, barrier), range(AT_ONCE)))

    assert statuses == {200: limit, 410: AT_ONCE - limit}
    db.session.expire_all()
    [used] = db.session.scalars(select(MemberDownload.downloads_used)).all()
    assert used == limit
