"""One magic link pressed by several browsers at the same instant opens one session, and
two links of a new fan used at once make one account. Real HTTP, real threads; SQLite
here, PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.fans.models import Fan, SignInLink
from tests.support.fans import CSRF_RE
from tests.support.fans import Fan as Browser
from tests.web.test_fan_accounts import ask_link, mailed_link

pytestmark = pytest.mark.slow


def press_at_once(browsers: list[Browser], paths: list[str]) -> list[tuple[int, str]]:
    """Each browser opens its link's page, then all press its button at the same
    instant; each answer's status and where it leads."""
    forms = [
        {"csrf_token": CSRF_RE.search(browser.request(path).body).group(1)}
        for browser, path in zip(browsers, paths, strict=True)
    ]
    start = Barrier(len(browsers))

    def press(index: int) -> tuple[int, str]:
        start.wait()
        reply = browsers[index].request(paths[index], forms[index])
        return reply.status, reply.location

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        return list(pool.map(press, range(len(browsers))))


def signed_in(browser: Browser) -> bool:
    return browser.request("/account").status == 200


def test_one_link_pressed_in_eight_browsers_at_once_opens_one_session(client, live_server):
    ask_link(client, "ana@example.org")
    path = mailed_link("ana@example.org")
    browsers = [Browser(live_server) for _ in range(8)]
    answers = press_at_once(browsers, [path] * 8)
    assert Counter(status for status, _ in answers) == {302: 1, 410: 7}
    assert [signed_in(browser) for browser in browsers].count(True) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Fan)) == 1
    assert db.session.scalar(select(SignInLink.used_at)) is not None


def test_two_links_of_a_new_fan_used_at_once_make_one_account(client, live_server):
    ask_link(client, "ana@example.org")
    first = mailed_link("ana@example.org")
    ask_link(client, "Ana+phone@example.org")
    second = mailed_link("ana+phone@example.org")
    browsers = [Browser(live_server), Browser(live_server)]
    answers = press_at_once(browsers, [first, second])
    assert [status for status, _ in answers] == [302, 302]
    assert all(signed_in(browser) for browser in browsers)
    db.session.expire_all()
    assert db.session.scalars(select(Fan.email_key)).all() == ["ana@example.org"]
