"""A fan on a phone buys a vinyl and a download with test payments, then downloads it."""

import pytest

pytestmark = pytest.mark.browser


def test_fan_buys_vinyl_and_download_and_gets_the_file(
    live_server, phone, make_release, make_product, digital_file, tmp_path
):
    release = make_release(title="Grains de Sable", slug="grains-de-sable")
    make_product(release=release, kind="vinyl", price_cents=2400, stock=3)
    make_product(release=release, kind="digital", price_cents=900, download_path=digital_file)

    phone.goto(live_server + "/")
    phone.get_by_role("link", name="Grains de Sable").click()
    formats = phone.locator(".format")
    formats.filter(has_text='12" vinyl').get_by_role("button", name="Add to cart").click()
    phone.wait_for_url("**/cart")
    phone.go_back()
    formats.filter(has_text="Digital album").get_by_role("button", name="Add to cart").click()
    phone.wait_for_url("**/cart")
    assert (
        phone.locator(".summary .total").inner_text().endswith("€39.90")
    )  # 24 + 9 + 6.90 shipping

    phone.get_by_role("link", name="Checkout").click()
    phone.get_by_label("Email").fill("camille@example.org")
    phone.get_by_label("Full name").fill("Camille Fan")
    phone.get_by_label("Address", exact=True).fill("3 rue du Sillon")
    phone.get_by_label("Postal code").fill("69001")
    phone.get_by_label("City").fill("Lyon")
    phone.get_by_role("button", name="Continue to payment").click()

    assert "TEST" in phone.locator("h1").inner_text()
    phone.get_by_role("button", name="Pay (test)").click()
    phone.wait_for_url("**/orders/*")
    assert "Paid" in phone.locator(".status").inner_text()

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download").click()
    saved = tmp_path / "album.zip"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"PK")
