"""The label's edition screens: setting up a numbered run and its variants, caps, reveal
mode and card, insert pools, the draw log, closing, the packing list, the card codes
(CSV and printable sheet), and who may do what."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storefront.csvout import unescaped
from storefront.editions.models import Copy, Edition, Variant
from storefront.extensions import db
from storefront.inserts.models import InsertPool
from tests.conftest import fresh
from tests.support.campaigns import preorder
from tests.support.staff import send
from tests.web.test_admin_campaigns import refused, text_of
from tests.web.test_admin_uploads import upload

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def edition_data(**fields) -> dict:
    data = {"name": "Grains de Sable, numbered", "size": "8"}
    data |= {"variants": "standard:5\nsilver:2\ngold:1", "reveal_mode": "at_once"}
    data |= {"per_order_cap": "", "per_fan_cap": "", "card_content": "A lost take."}
    return {**data, **fields}


def pool_data(**fields) -> dict:
    data = {"name": "Studio notebook", "count": "2", **fields}
    return {f"pool-{key}": value for key, value in data.items()}


def create_edition(admin, product, **fields):
    url = f"/admin/editions/new?product_id={product.id}"
    return send(admin, url, edition_data(**fields), content_type="multipart/form-data")


def update_edition(admin, edition, **fields):
    url = f"/admin/editions/{edition.id}"
    return send(admin, url, edition_data(**fields), content_type="multipart/form-data")


def add_pool(admin, edition, **fields):
    url, page = f"/admin/editions/{edition.id}/pools", f"/admin/editions/{edition.id}"
    return send(admin, url, pool_data(**fields), page=page, prefix="pool-")


def edition_of(product) -> Edition | None:
    db.session.expire_all()
    return db.session.scalar(select(Edition).where(Edition.product_id == product.id))


def copies_by_variant(edition) -> dict[str, int]:
    rows = db.session.execute(
        select(Variant.name, func.count(Copy.id))
        .join(Copy, Copy.variant_id == Variant.id)
        .where(Variant.edition_id == edition.id)
        .group_by(Variant.name)
    ).all()
    return dict(rows)


def card_codes(edition) -> dict[tuple[str, int], str]:
    rows = db.session.execute(
        select(Variant.name, Copy.number, Copy.card_code)
        .join(Variant, Variant.id == Copy.variant_id)
        .where(Copy.edition_id == edition.id)
    ).all()
    return {(name, number): code for name, number, code in rows}


# --- setting up an edition ------------------------------------------------------------


def test_admin_sets_up_an_edition_with_its_numbered_copies(admin, make_product):
    vinyl = make_product(stock=8)
    response = create_edition(admin, vinyl, reveal_mode="sealed", per_order_cap="2")
    edition = edition_of(vinyl)
    assert response.headers["Location"].endswith(f"/admin/editions/{edition.id}")
    assert (edition.size, edition.reveal_mode, edition.per_order_cap) == (8, "sealed", 2)
    assert edition.per_fan_cap is None and edition.card_content == "A lost take."
    assert [(v.name, v.count, v.position) for v in edition.variants] == [
        ("standard", 5, 0),
        ("silver", 2, 1),
        ("gold", 1, 2),
    ]
    assert copies_by_variant(edition) == {"standard": 5, "silver": 2, "gold": 1}
    assert len(set(card_codes(edition).values())) == 8
    assert len(edition.commitment) == 64
    page = text_of(admin.get(f"/admin/editions/{edition.id}"))
    assert "gold 1 0 1" in page  # copies, drawn, left
    assert "Edition created: 8 numbered copies." in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"size": "10"}, "The variants add up to 8 copies, the edition has 10."),
        ({"variants": "standard:8\ngold:0"}, "Every variant needs a positive count."),
        ({"variants": "standard:7\ngold:-1\nsilver:2"}, "Every variant needs a positive count."),
        ({"variants": "gold:4\nGold:4"}, "Two variants have the same name."),
        ({"variants": "standard 8"}, "Write one variant per line as name:count"),
        ({"variants": ""}, "This field is required."),
        ({"per_fan_cap": "0"}, "A cap is at least 1 copy; leave it empty for no cap."),
        ({"per_order_cap": "3", "per_fan_cap": "2"}, "cannot be above the cap per fan"),
    ],
)
def test_a_refused_edition_says_why_and_creates_nothing(admin, make_product, fields, message):
    vinyl = make_product(stock=8)
    response = create_edition(admin, vinyl, **fields)
    refused(response, message)
    assert edition_of(vinyl) is None
    assert db.session.scalar(select(func.count(Copy.id))) == 0
    assert "Grains de Sable, numbered" in response.get_data(as_text=True)  # still filled in


def test_a_digital_product_cannot_be_an_edition(admin, make_product):
    album = make_product(kind="digital")
    refused(create_edition(admin, album), "Only a physical product can be a numbered edition.")
    assert edition_of(album) is None


def test_the_product_page_leads_to_its_edition(admin, make_product, make_edition):
    vinyl = make_product(stock=8)
    page = admin.get(f"/admin/products/{vinyl.id}").get_data(as_text=True)
    assert f"/admin/editions/new?product_id={vinyl.id}" in page
    edition = make_edition()
    page = admin.get(f"/admin/products/{edition.product_id}").get_data(as_text=True)
    assert f"/admin/editions/{edition.id}" in page
    # Asking for a second edition of the same product leads to the one it has.
    response = admin.get(f"/admin/editions/new?product_id={edition.product_id}")
    assert response.headers["Location"].endswith(f"/admin/editions/{edition.id}")


def test_caps_reveal_mode_and_card_stay_editable_after_a_draw(admin, make_edition):
    edition = make_edition()
    preorder(edition.product)
    response = update_edition(
        admin,
        edition,
        reveal_mode="sealed",
        per_order_cap="1",
        per_fan_cap="3",
        card_content="The demo of side B.",
    )
    assert response.status_code == 302
    edition = fresh(edition)
    assert (edition.reveal_mode, edition.per_order_cap, edition.per_fan_cap) == ("sealed", 1, 3)
    assert edition.card_content == "The demo of side B."
    update_edition(admin, edition, per_order_cap="", per_fan_cap="")
    assert (fresh(edition).per_order_cap, fresh(edition).per_fan_cap) == (None, None)


def test_variants_and_size_are_locked_once_a_copy_is_drawn(admin, make_edition):
    edition = make_edition()
    preorder(edition.product)
    codes = card_codes(edition)
    page = admin.get(f"/admin/editions/{edition.id}").get_data(as_text=True)
    assert "the size and the variants can no longer change" in page
    for fields in ({"variants": "standard:4\nsilver:3\ngold:1"}, {"size": "9"}):
        response = update_edition(admin, edition, **fields)
        refused(response, "the variants and the size can no longer change")
    assert copies_by_variant(edition) == {"standard": 5, "silver": 2, "gold": 1}
    assert card_codes(edition) == codes


def test_before_any_draw_the_variants_change_and_kept_copies_keep_their_codes(admin, make_edition):
    edition = make_edition()
    codes = card_codes(edition)
    response = update_edition(admin, edition, size="9", variants="standard:6\nsilver:2\ngold:1")
    assert response.status_code == 302
    edition = fresh(edition)
    assert edition.size == 9
    assert copies_by_variant(edition) == {"standard": 6, "silver": 2, "gold": 1}
    new_codes = card_codes(edition)
    assert all(new_codes[key] == code for key, code in codes.items())
    assert len(set(new_codes.values())) == 9


def test_a_hidden_file_is_checked_by_its_bytes_and_kept_private(admin, app, make_product):
    vinyl = make_product(stock=8)
    fake = create_edition(admin, vinyl, card_file=upload(b"<html>not a pdf</html>", "liner.pdf"))
    refused(fake, "Upload a PDF, a video (MP4, WebM) or an audio file")
    assert edition_of(vinyl) is None
    create_edition(admin, vinyl, card_file=upload(PDF_BYTES, "liner notes.pdf"))
    edition = edition_of(vinyl)
    assert edition.card_file.startswith("cards/") and edition.card_file.endswith(".pdf")
    assert (Path(app.config["PRIVATE_DIR"]) / edition.card_file).read_bytes() == PDF_BYTES
    update_edition(admin, edition, remove_card_file="y")
    assert fresh(edition).card_file is None


# --- insert pools ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": "0"}, "A pool holds 1 to 8 inserts (the size of the edition)."),
        ({"count": "9"}, "A pool holds 1 to 8 inserts (the size of the edition)."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_refused_insert_pool_says_why(admin, make_edition, fields, message):
    edition = make_edition()
    refused(add_pool(admin, edition, **fields), message)
    assert db.session.scalar(select(func.count(InsertPool.id))) == 0


def test_insert_pools_are_added_edited_and_removed_before_the_draws(admin, make_edition):
    edition = make_edition()
    response = add_pool(admin, edition, count="3", reveal_at_once="y")
    assert response.headers["Location"].endswith(f"/admin/editions/{edition.id}#inserts")
    pool = db.session.scalar(select(InsertPool))
    assert (pool.name, pool.count, pool.reveal_at_once) == ("Studio notebook", 3, True)
    url = f"/admin/editions/pools/{pool.id}"
    send(admin, url, pool_data(name="Notebook", count="4"), prefix="pool-")
    pool = fresh(pool)
    assert (pool.name, pool.count, pool.reveal_at_once) == ("Notebook", 4, False)
    send(admin, f"{url}/delete", {}, page=f"/admin/editions/{edition.id}")
    assert db.session.scalar(select(func.count(InsertPool.id))) == 0


def test_once_draws_started_a_pool_keeps_its_count_and_stays(admin, make_edition):
    edition = make_edition()
    add_pool(admin, edition, count="2")
    pool = db.session.scalar(select(InsertPool))
    preorder(edition.product)
    url, page = f"/admin/editions/pools/{pool.id}", f"/admin/editions/{edition.id}"
    response = send(admin, url, pool_data(count="3"), prefix="pool-")
    refused(response, "Copies have been drawn: the number of inserts can no longer change.")
    assert send(admin, url, pool_data(name="Carnet"), prefix="pool-").status_code == 302
    assert fresh(pool).name == "Carnet"
    response = send(admin, f"{url}/delete", {}, page=page, follow_redirects=True)
    assert "this pool&#39;s inserts are promised, it stays." in response.get_data(as_text=True)
    refused(add_pool(admin, edition), "a new pool could no longer be spread over the whole run")
    assert db.session.scalar(select(func.count(InsertPool.id))) == 1


# --- draw log, closing, packing list --------------------------------------------------


def test_the_draw_log_hides_the_seed_until_the_edition_is_closed(admin, make_edition):
    edition = make_edition()
    order = preorder(edition.product, quantity=2)
    log = text_of(admin.get(f"/admin/editions/{edition.id}/log"))
    seed = edition.server_seed.hex()
    assert edition.commitment in log and seed not in log
    assert "hidden until the edition is closed" in log
    assert log.count(" draw ") == 2 and order.client_seed in log
    confirm = text_of(admin.get(f"/admin/editions/{edition.id}/close"))
    assert "the 6 copies left will never be drawn" in confirm
    response = send(admin, f"/admin/editions/{edition.id}/close", {})
    assert response.headers["Location"].endswith(f"/admin/editions/{edition.id}")
    assert fresh(edition).closed_at is not None
    assert seed in admin.get(f"/admin/editions/{edition.id}/log").get_data(as_text=True)
    again = send(admin, f"/admin/editions/{edition.id}/close", {}, follow_redirects=True)
    assert "This edition is already closed." in again.get_data(as_text=True)


def test_the_packing_list_shows_each_paid_orders_copies_and_inserts(admin, make_edition):
    edition = make_edition()
    add_pool(admin, edition, name="Studio notebook", count="8")  # one in every copy
    order = preorder(edition.product, quantity=2, email="marie@example.org")
    preorder_copies = db.session.scalars(
        select(Copy).where(Copy.order_id == order.id).order_by(Copy.sequence)
    ).all()
    response = admin.get(f"/admin/editions/{edition.id}/packing")
    page = text_of(response)
    assert response.status_code == 200 and "admin-nav" not in response.get_data(as_text=True)
    assert order.reference in page
    for copy in preorder_copies:
        assert f"{copy.label} {copy.variant.name} Studio notebook" in page
    assert "1 order to pack." in page


# --- card codes -----------------------------------------------------------------------


def test_the_card_codes_export_as_csv_one_row_per_copy(admin, app, make_edition):
    edition = make_edition()
    response = admin.get(f"/admin/editions/{edition.id}/cards.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="edition-{edition.id}-cards.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 8
    assert [(row["variant"], row["number"]) for row in rows[-3:]] == [
        ("silver", "1"),
        ("silver", "2"),
        ("gold", "1"),
    ]
    # A code may start with "-": the file guards it from spreadsheets as "'-…".
    codes = {unescaped(row["code"]) for row in rows}
    assert codes == set(card_codes(edition).values())
    public_url = app.config["PUBLIC_URL"].rstrip("/")
    assert all(row["redeem_url"] == f"{public_url}/cards/{unescaped(row['code'])}" for row in rows)


def test_the_printable_card_sheet_has_a_qr_image_and_code_per_card(admin, make_edition):
    edition = make_edition()
    response = admin.get(f"/admin/editions/{edition.id}/cards")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "admin-nav" not in html
    assert html.count('src="data:image/png;base64,') == 8
    assert all(code in html for code in card_codes(edition).values())
    assert "No. 2/2 — silver" in html


# --- who may do what ------------------------------------------------------------------


def test_staff_read_the_list_log_and_packing_list_but_change_nothing(staff, make_edition):
    edition = make_edition()
    preorder(edition.product)
    base = f"/admin/editions/{edition.id}"
    listing = staff.get("/admin/editions")
    assert listing.status_code == 200 and edition.name in listing.get_data(as_text=True)
    assert "New edition of" not in listing.get_data(as_text=True)
    for url in (f"{base}/log", f"{base}/packing"):
        assert staff.get(url).status_code == 200
    for url in (
        base,
        f"{base}/close",
        f"{base}/cards",
        f"{base}/cards.csv",
        f"/admin/editions/new?product_id={edition.product_id}",
    ):
        assert staff.get(url).status_code == 403
    for url, data in ((base, edition_data()), (f"{base}/close", {}), (f"{base}/pools", {})):
        assert send(staff, url, data, page="/admin/editions").status_code == 403
    assert fresh(edition).closed_at is None
