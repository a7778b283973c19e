"""Digital delivery: signed, expiring, counted links, re-issuable from the order page."""

import re
from datetime import timedelta

from sqlalchemy import update

from storefront.clock import utcnow
from storefront.delivery.models import DownloadGrant
from storefront.extensions import db
from tests.conftest import csrf_token_from
from tests.support.shop import add_to_cart, checkout, reference_of
from tests.support.shop import buy as buy_with_test_payment


def download_links(client, reference) -> list[str]:
    html = client.get(f"/orders/{reference}").get_data(as_text=True)
    return re.findall(r'href="(/downloads/[^"]+)"', html)


def fetch(client, link):
    """GET a download and close it (files are streamed)."""
    response = client.get(link, headers={"Accept-Language": "en"})
    response.get_data()  # buffer the body before the file is closed
    response.close()
    return response


def buy_album(client, make_product, digital_file):
    album = make_product(kind="digital", price_cents=900, download_path=digital_file)
    return buy_with_test_payment(client, album)


def test_paid_digital_order_downloads_its_file(client, make_product, digital_file):
    reference = buy_album(client, make_product, digital_file)
    [link] = download_links(client, reference)
    response = fetch(client, link)
    assert response.status_code == 200
    assert response.data.startswith(b"PK")
    assert "attachment" in response.headers["Content-Disposition"]


def test_unpaid_order_has_no_download(client, make_product, digital_file):
    album = make_product(kind="digital", download_path=digital_file)
    add_to_cart(client, album)
    reference = reference_of(checkout(client))
    assert download_links(client, reference) == []


def test_a_link_works_a_limited_number_of_times(app, client, make_product, digital_file):
    reference = buy_album(client, make_product, digital_file)
    [link] = download_links(client, reference)
    statuses = [fetch(client, link).status_code for _ in range(app.config["DOWNLOAD_LIMIT"] + 1)]
    assert statuses == [200] * app.config["DOWNLOAD_LIMIT"] + [410]


def test_an_expired_grant_is_refused_with_a_clear_page(client, make_product, digital_file):
    reference = buy_album(client, make_product, digital_file)
    [link] = download_links(client, reference)
    db.session.execute(update(DownloadGrant).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get(link, headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_forged_token_is_refused_not_a_500(client):
    assert client.get("/downloads/not-a-real-token").status_code == 410


def test_reissue_gives_fresh_links_and_kills_the_old_ones(client, make_product, digital_file):
    reference = buy_album(client, make_product, digital_file)
    [old] = download_links(client, reference)
    for _ in range(3):
        fetch(client, old)
    page = client.get(f"/orders/{reference}").get_data(as_text=True)
    client.post(f"/orders/{reference}/downloads", data={"csrf_token": csrf_token_from(page)})
    [new] = download_links(client, reference)
    assert new != old
    assert client.get(old).status_code == 410
    assert fetch(client, new).status_code == 200


def test_files_never_leave_the_private_folder(app, client, make_product):
    album = make_product(kind="digital", download_path="../../etc/passwd")
    reference = buy_with_test_payment(client, album)
    [link] = download_links(client, reference)
    assert client.get(link).status_code == 410
