"""Digital delivery: signed, expiring, counted links, re-issuable from the order page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storefront.clock import utcnow
from storefront.delivery.models import DownloadGrant
from storefront.delivery.services import reissue_grants
from storefront.errors import DownloadUnavailable
from storefront.extensions import db
from tests.conftest import csrf_token_from, fresh, order_by_reference
from tests.support.shop import add_to_cart, checkout, pay_test, reference_of
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


# --- re-issues: capped per grant, rate-limited ------------------------------------------


def ask_for_new_links(client, reference, **kwargs):
    page = client.get(f"/orders/{reference}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page)}
    return client.post(f"/orders/{reference}/downloads", data=data, **kwargs)


def test_new_links_are_offered_three_times_then_the_label_helps(client, make_product, digital_file):
    reference = buy_album(client, make_product, digital_file)
    page = client.get(f"/orders/{reference}").get_data(as_text=True)
    assert "You can ask for new links 3 more times." in page
    for left in (2, 1, 0):
        ask_for_new_links(client, reference)
        grant = db.session.scalar(select(DownloadGrant))
        db.session.refresh(grant)
        assert grant.reissues == 3 - left
    [link] = download_links(client, reference)

    response = ask_for_new_links(client, reference, follow_redirects=True)

    html = response.get_data(as_text=True)
    assert "write to the label with your order number" in html
    assert "Get new download links" not in html
    # Links are signed afresh at each render (the same grant): compare what they open.
    [still] = download_links(client, reference)
    assert fetch(client, still).status_code == 200, "the links still work"
    assert fetch(client, link).status_code == 200
    db.session.refresh(grant)
    assert (grant.reissues, grant.generation) == (3, 4)


def test_the_re_issue_limit_comes_from_the_configuration(
    app, client, make_product, digital_file, monkeypatch
):
    monkeypatch.setitem(app.config, "DOWNLOAD_REISSUE_LIMIT", 1)
    reference = buy_album(client, make_product, digital_file)
    page = client.get(f"/orders/{reference}").get_data(as_text=True)
    assert "You can ask for new links 1 more time." in page
    ask_for_new_links(client, reference)
    [link] = download_links(client, reference)
    html = ask_for_new_links(client, reference, follow_redirects=True).get_data(as_text=True)
    assert "New links were already sent 1 time" in html
    # The same grant and generation (no new link was made); the signature's timestamp
    # may have ticked between the two pages.
    assert [claim_of(again) for again in download_links(client, reference)] == [claim_of(link)]


def claim_of(link: str) -> str:
    """The signed payload of a download link: its grant and generation."""
    return link.removeprefix("/downloads/").split(".")[0]


def test_two_requests_at_once_cannot_both_take_the_last_re_issue(
    client, make_product, digital_file
):
    order = order_by_reference(buy_album(client, make_product, digital_file))
    grant = db.session.scalar(select(DownloadGrant))
    # Another request takes the last re-issue after this one has read the grant.
    taken = update(DownloadGrant).values(reissues=1, generation=2)
    db.session.execute(taken.execution_options(synchronize_session=False))
    db.session.commit()
    assert grant.reissues == 0, "this request still sees one left"

    with pytest.raises(DownloadUnavailable):
        reissue_grants(db.session, order, now=utcnow(), limit=1)
    assert fresh(grant).generation == 2


@pytest.mark.parametrize("same", ["order", "address"])
def test_asking_for_new_links_is_rate_limited(
    app, client, make_product, digital_file, same, monkeypatch
):
    monkeypatch.setitem(app.config, "DOWNLOAD_REISSUE_LIMIT", 100)
    first = buy_album(client, make_product, digital_file)
    second = buy_album(client, make_product, digital_file)
    statuses = []
    for n in range(6):
        if same == "order":  # one order, asked from six addresses
            reference, address = first, f"10.0.0.{n + 1}"
        else:  # one address, asking for two orders in turn
            reference, address = (first, second)[n % 2], "10.0.0.1"
        response = ask_for_new_links(client, reference, environ_overrides={"REMOTE_ADDR": address})
        statuses.append(response.status_code)
    assert statuses == [302] * 5 + [429]
    assert "please wait a while" in response.get_data(as_text=True)


# --- pages and files for one fan only ----------------------------------------------------


def test_the_order_page_the_payment_page_and_downloads_are_never_cached(
    client, make_product, digital_file
):
    album = make_product(kind="digital", price_cents=900, download_path=digital_file)
    add_to_cart(client, album)
    reference = reference_of(checkout(client))
    assert client.get(f"/pay/test/{reference}").headers["Cache-Control"] == "no-store"
    pay_test(client, reference)
    assert client.get(f"/orders/{reference}").headers["Cache-Control"] == "no-store"
    [link] = download_links(client, reference)
    assert fetch(client, link).headers["Cache-Control"] == "no-store"


# --- a link is exactly the one issued ---------------------------------------------------


def test_a_link_damaged_in_any_way_is_refused_and_uses_no_download(
    client, make_product, digital_file
):
    reference = buy_album(client, make_product, digital_file)
    [link] = download_links(client, reference)
    token = link.removeprefix("/downloads/")
    damaged = {token + "=", token + "==", token.replace(".", "..", 1)}
    damaged |= {token[:i] + extra + token[i:] for i in range(len(token) + 1) for extra in "!~"}
    damaged |= {token[:i] + _other(token[i]) + token[i + 1 :] for i in range(len(token))}
    damaged |= {token[:-1] + sibling for sibling in _same_bits_as(token[-1])}
    damaged.discard(token)

    statuses = {fetch(client, f"/downloads/{bad}").status_code for bad in damaged}

    assert statuses == {410}
    assert db.session.scalar(select(DownloadGrant.downloads_used)) == 0
    assert fetch(client, link).status_code == 200


def _other(char: str) -> str:
    return "B" if char == "A" else "A"


def _same_bits_as(char: str) -> list[str]:
    """Last base64 characters that decode to the same bytes (their low bits are unused)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    index = alphabet.index(char)
    return [alphabet[index & ~0b11 | low] for low in range(4)]
