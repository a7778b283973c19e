"""Admin products (prices, stock, options) and uploads (covers, audio, downloads).

Uploaded files are judged by their bytes, not their names.
"""

from __future__ import annotations

import io
import wave
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, update

from storefront.catalog.models import Product, Release
from storefront.extensions import db
from tests.conftest import fresh
from tests.support.staff import send
from tests.web.test_admin import make_order, product_data, release_data, track_data


def image_bytes(image_format: str = "PNG", size: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (194, 65, 12)).save(buffer, image_format)
    return buffer.getvalue()


def wav_bytes(frames: int = 2205) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(22050)
        sound.writeframes(b"\x00\x00" * frames)
    return buffer.getvalue()


def upload(content: bytes, filename: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), filename


def served(client, relative_path: str) -> bytes:
    """The bytes /media/ serves for a stored file (the response is closed: it holds the file)."""
    with client.get(f"/media/{relative_path}") as response:
        assert response.status_code == 200
        return response.data


def files_in(folder: Path) -> set[Path]:
    return set(folder.rglob("*")) if folder.exists() else set()


def create_release(admin, **fields):
    return send(
        admin, "/admin/releases/new", release_data(**fields), content_type="multipart/form-data"
    )


def new_release() -> Release | None:
    db.session.expire_all()
    return db.session.scalar(select(Release).where(Release.slug == "grains-de-sable"))


# --- products, prices and stock -------------------------------------------------------


@pytest.mark.parametrize(("typed", "cents"), [("24,00", 2400), ("24.00", 2400), ("9,5", 950)])
def test_a_price_is_typed_in_euros_and_kept_in_cents(admin, make_release, typed, cents):
    release = make_release()
    url = f"/admin/releases/{release.id}/products/new"
    assert send(admin, url, product_data(price=typed)).status_code == 302
    (product,) = fresh(release).products
    assert (product.price_cents, product.stock, product.weight_class) == (cents, 10, "parcel")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"price": "abc"}, "Write the price in euros, like 24,00 or 24.00."),
        ({"price": "-3"}, "Write the price in euros"),
        ({"price": "99999999999"}, "A price is at most 10 000 €."),
        ({"stock": ""}, "Enter the units in stock"),
        ({"stock": "5", "options": "S:8, M:15"}, "Leave the stock empty"),
        ({"stock": "", "options": "S:8, S:2"}, "Write each option once as label:stock"),
        ({"kind": "digital", "stock": ""}, "Upload the zip file fans will download"),
    ],
)
def test_a_refused_product_comes_back_filled_in(admin, make_release, fields, message):
    release = make_release()
    url = f"/admin/releases/{release.id}/products/new"
    response = send(admin, url, product_data(name="Vinyle rouge", **fields))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert html.count('class="field-error"') == 1
    assert 'value="Vinyle rouge"' in html
    assert fresh(release).products == []


def test_weight_class_follows_the_kind_unless_chosen(admin, make_release):
    release = make_release()
    url = f"/admin/releases/{release.id}/products/new"
    send(admin, url, product_data(kind="cd", name="CD"))
    send(admin, url, product_data(kind="cassette", name="K7", weight_class="parcel"))
    products = {p.name: p.weight_class for p in fresh(release).products}
    assert products == {"CD": "letter", "K7": "parcel"}


def test_stock_edited_in_the_admin_shows_on_the_release_page(admin, make_product):
    vinyl = make_product(stock=10)
    response = send(admin, f"/admin/products/{vinyl.id}", product_data(vinyl, stock="3"))
    assert response.status_code == 302
    assert "3 left" in admin.get(f"/releases/{vinyl.release.slug}").get_data(as_text=True)


def _checkout_takes(product: Product, units: int) -> None:
    db.session.execute(update(Product).where(Product.id == product.id).values(stock=units))
    db.session.commit()


def test_a_stock_figure_moved_by_orders_meanwhile_is_not_overwritten(admin, make_product):
    vinyl = make_product(stock=10)
    data = product_data(vinyl, stock="12")  # the admin saw 10 and types 12...
    _checkout_takes(vinyl, 8)  # ...while two fans check out
    response = send(admin, f"/admin/products/{vinyl.id}", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Orders changed the stock while you were editing" in html
    assert "Now on record: 8" in html
    assert fresh(vinyl).stock == 8
    data["stock_seen"] = "8"  # the re-rendered form now holds the current figure
    assert send(admin, f"/admin/products/{vinyl.id}", data).status_code == 302
    assert fresh(vinyl).stock == 12


def test_a_price_change_leaves_a_moving_stock_alone(admin, make_product):
    vinyl = make_product(stock=10)
    data = product_data(vinyl, price="26,50")
    _checkout_takes(vinyl, 9)
    assert send(admin, f"/admin/products/{vinyl.id}", data).status_code == 302
    assert (fresh(vinyl).price_cents, fresh(vinyl).stock) == (2650, 9)


def test_options_are_added_changed_and_removed(admin, make_product):
    shirt = make_product(kind="merch", options={"S": 8, "M": 15})
    data = product_data(shirt, options="S:8, M:10\nL:4")
    assert send(admin, f"/admin/products/{shirt.id}", data).status_code == 302
    assert [(o.label, o.stock) for o in fresh(shirt).options] == [("S", 8), ("M", 10), ("L", 4)]
    data = product_data(fresh(shirt), options="M:10, L:4")
    assert send(admin, f"/admin/products/{shirt.id}", data).status_code == 302
    assert [o.label for o in fresh(shirt).options] == ["M", "L"]
    assert fresh(shirt).stock is None


def test_an_option_that_sold_cannot_be_removed(admin, make_product):
    shirt = make_product(kind="merch", options={"S": 8, "M": 15})
    make_order("BB-SOLD", lines=[(shirt, shirt.options[0].id)])
    response = send(admin, f"/admin/products/{shirt.id}", product_data(shirt, options="M:15"))
    assert response.status_code == 422
    assert "“S” has orders and cannot be removed" in response.get_data(as_text=True)
    assert [o.label for o in fresh(shirt).options] == ["S", "M"]


# --- covers ---------------------------------------------------------------------------


@pytest.mark.parametrize(("image_format", "suffix"), [("PNG", ".png"), ("JPEG", ".jpg")])
def test_a_real_image_becomes_the_cover_and_is_served(admin, app, image_format, suffix):
    content = image_bytes(image_format)
    response = create_release(admin, cover=upload(content, "my cover.PNG"))
    assert response.status_code == 302
    cover_path = new_release().cover_path
    assert cover_path.startswith("covers/") and cover_path.endswith(suffix)
    assert "my cover" not in cover_path  # a generated name, never the uploader's
    assert (Path(app.config["MEDIA_DIR"]) / cover_path).read_bytes() == content
    assert served(admin, cover_path) == content


def test_a_webp_cover_is_accepted(admin):
    assert create_release(admin, cover=upload(image_bytes("WEBP"), "c.webp")).status_code == 302
    assert new_release().cover_path.endswith(".webp")


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"just some text, honestly", "cover.png", "This is not a JPEG, PNG or WebP image."),
        (image_bytes("GIF"), "cover.png", "This is not a JPEG, PNG or WebP image."),
        (image_bytes("PNG")[:60], "cover.png", "This image is damaged or incomplete."),
    ],
)
def test_a_cover_that_is_not_an_accepted_image_is_refused(admin, app, content, filename, message):
    covers = Path(app.config["MEDIA_DIR"]) / "covers"
    before = files_in(covers)
    response = create_release(admin, artist="Nouvel Artiste", cover=upload(content, filename))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="Nouvel Artiste"' in html  # everything typed is still there
    assert new_release() is None
    assert files_in(covers) == before


def test_a_cover_over_the_size_limit_is_refused(admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "COVER_MAX_BYTES", 200)
    response = create_release(admin, cover=upload(image_bytes(size=256), "big.png"))
    assert response.status_code == 422
    assert "This file is too large: the limit is 200 bytes." in response.get_data(as_text=True)
    assert new_release() is None


def test_a_request_over_the_upload_limit_gets_a_clear_page(admin, app, monkeypatch):
    # Kept under the test client's 500 KB spooling threshold, so no temporary file is left open.
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 200 * 1024)
    response = create_release(admin, cover=upload(b"\x00" * (300 * 1024), "huge.png"))
    assert response.status_code == 413
    assert "The files sent are too large: at most 200 KB in all." in response.get_data(as_text=True)


def test_a_refused_release_keeps_no_uploaded_file(admin, app, make_release):
    make_release(slug="grains-de-sable")
    covers = Path(app.config["MEDIA_DIR"]) / "covers"
    before = files_in(covers)
    response = create_release(admin, title="Doublon", cover=upload(image_bytes(), "c.png"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Another release already uses the address" in html
    assert "Choose this file again" in html
    assert files_in(covers) == before


def test_a_new_cover_replaces_the_old_one_and_no_cover_keeps_it(admin, make_release):
    release = make_release(slug="dune", cover_path="covers/old.png")
    url = f"/admin/releases/{release.id}"
    data = release_data(slug="dune")
    assert send(admin, url, data, content_type="multipart/form-data").status_code == 302
    assert fresh(release).cover_path == "covers/old.png"
    data["cover"] = upload(image_bytes(), "new.png")
    assert send(admin, url, data, content_type="multipart/form-data").status_code == 302
    new_path = fresh(release).cover_path
    assert new_path.startswith("covers/") and new_path != "covers/old.png"


# --- audio previews -------------------------------------------------------------------


def add_track(admin, release, **fields):
    url, page = f"/admin/releases/{release.id}/tracks", f"/admin/releases/{release.id}"
    return send(
        admin,
        url,
        track_data(**fields),
        page=page,
        prefix="track-",
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("content", "filename", "suffix"),
    [
        (wav_bytes(), "sketch.wav", ".wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 8, "take.mp3", ".mp3"),
        (b"\xff\xfb\x90\x00" * 8, "take.MP3", ".mp3"),
        (b"OggS\x00\x02" + b"\x00" * 30, "loop.oga", ".ogg"),
        (b"fLaC\x00\x00\x00\x22" + b"\x00" * 30, "drone.flac", ".flac"),
    ],
)
def test_an_audio_preview_is_stored_and_served(admin, make_release, content, filename, suffix):
    release = make_release()
    assert add_track(admin, release, preview=upload(content, filename)).status_code == 302
    path = fresh(release).tracks[-1].preview_path
    assert path.startswith("previews/") and path.endswith(suffix)
    assert served(admin, path) == content


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"not audio at all, just words", "song.mp3"),  # right name, wrong bytes
        (wav_bytes(), "song.mp3"),  # real audio under another type's name
        (wav_bytes(), "song.exe"),
    ],
)
def test_an_audio_preview_must_match_its_name_and_bytes(admin, make_release, content, filename):
    release = make_release()
    response = add_track(admin, release, title="Faux son", preview=upload(content, filename))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Upload an MP3, OGG, WAV or FLAC audio file." in html
    assert 'value="Faux son"' in html
    assert len(fresh(release).tracks) == 2


def test_an_audio_preview_over_the_size_limit_is_refused(admin, app, make_release, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIO_MAX_BYTES", 1000)
    release = make_release()
    response = add_track(admin, release, preview=upload(wav_bytes(), "long.wav"))
    assert response.status_code == 422
    assert "This file is too large" in response.get_data(as_text=True)


# --- digital downloads ----------------------------------------------------------------


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("01 Sable fin.flac", b"fLaC")
    return buffer.getvalue()


def add_digital(admin, release, download):
    data = product_data(kind="digital", name="Digital album", stock="", download=download)
    url = f"/admin/releases/{release.id}/products/new"
    return send(admin, url, data, content_type="multipart/form-data")


def test_a_download_zip_is_stored_privately(admin, app, make_release):
    release = make_release()
    media_before = files_in(Path(app.config["MEDIA_DIR"]))
    assert add_digital(admin, release, upload(zip_bytes(), "album.zip")).status_code == 302
    (product,) = fresh(release).products
    assert product.download_path.startswith("downloads/") and product.download_path.endswith(".zip")
    assert (Path(app.config["PRIVATE_DIR"]) / product.download_path).read_bytes() == zip_bytes()
    assert files_in(Path(app.config["MEDIA_DIR"])) == media_before
    assert admin.get(f"/media/{product.download_path}").status_code == 404
    assert (product.weight_class, product.stock) == ("none", None)


@pytest.mark.parametrize(
    ("content", "filename"),
    [(b"plain text pretending", "album.zip"), (zip_bytes(), "album.rar")],
)
def test_a_download_that_is_not_a_zip_is_refused(admin, make_release, content, filename):
    release = make_release()
    response = add_digital(admin, release, upload(content, filename))
    assert response.status_code == 422
    assert "Upload a .zip file." in response.get_data(as_text=True)
    assert fresh(release).products == []


def test_a_physical_product_takes_no_download(admin, app, make_release):
    release = make_release()
    downloads = Path(app.config["PRIVATE_DIR"]) / "downloads"
    before = files_in(downloads)
    data = product_data(download=upload(zip_bytes(), "bonus.zip"))
    url = f"/admin/releases/{release.id}/products/new"
    response = send(admin, url, data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Only digital products have a download file." in response.get_data(as_text=True)
    assert files_in(downloads) == before
