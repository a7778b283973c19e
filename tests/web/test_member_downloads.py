"""Free downloads of new releases for members of tiers with `free_digital`."""

from __future__ import annotations

import re
from datetime import date, timedelta

from storefront.extensions import db
from tests.support.accounts import sign_in_as
from tests.support.benefits import end_membership, make_member, make_tier

LINK = re.compile(r'href="(/members/downloads/[^"]+)"')


def _digital(make_release, make_product, digital_file, released: date):
    release = make_release(release_date=released)
    return make_product(release=release, kind="digital", download_path=digital_file)


def _member(client, free_digital=True):
    fan, membership = make_member(make_tier("Gold", free_digital=free_digital))
    sign_in_as(client, fan)
    return membership


def _link(client, slug: str) -> str | None:
    found = LINK.search(client.get(f"/releases/{slug}").get_data(as_text=True))
    return found.group(1) if found else None


def test_a_member_downloads_a_new_release_free_within_the_limit(
    app, client, make_release, make_product, digital_file
):
    _member(client)
    product = _digital(make_release, make_product, digital_file, date.today() - timedelta(days=2))
    page = client.get(f"/releases/{product.release.slug}").get_data(as_text=True)
    assert "Download free — member benefit" in page
    link = _link(client, product.release.slug)
    for _ in range(app.config["DOWNLOAD_LIMIT"]):
        response = client.get(link)
        assert response.status_code == 200 and response.data.startswith(b"PK")
        response.close()
    assert client.get(link).status_code == 410  # the per-fan limit
    assert "Every free download of this album is used." in client.get(
        f"/releases/{product.release.slug}"
    ).get_data(as_text=True)


def test_an_old_release_is_not_free(client, make_release, make_product, digital_file):
    _member(client)  # member for 30 days
    product = _digital(make_release, make_product, digital_file, date.today() - timedelta(days=90))
    assert _link(client, product.release.slug) is None


def test_a_lapsed_member_is_refused_even_with_a_link(
    client, make_release, make_product, digital_file
):
    membership = _member(client)
    product = _digital(make_release, make_product, digital_file, date.today())
    link = _link(client, product.release.slug)
    assert link
    end_membership(membership)
    assert _link(client, product.release.slug) is None
    assert client.get(link).status_code == 403


def test_a_tier_without_the_benefit_gives_nothing(client, make_release, make_product, digital_file):
    _member(client, free_digital=False)
    product = _digital(make_release, make_product, digital_file, date.today())
    assert _link(client, product.release.slug) is None


def test_a_forged_link_is_refused(client):
    refused = client.get("/members/downloads/not-a-token")
    assert refused.status_code == 404 and "This link is not valid." in refused.get_data(
        as_text=True
    )


def test_the_account_panel_lists_free_downloads(client, make_release, make_product, digital_file):
    _member(client)
    product = _digital(make_release, make_product, digital_file, date.today())
    db.session.commit()
    page = client.get("/account").get_data(as_text=True)
    assert "Your member benefits" in page and product.release.title in page
    assert LINK.search(page)
