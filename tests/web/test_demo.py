"""`flask demo load` fills an empty shop with the Bruit Blanc label, and only an empty one."""

from pathlib import Path

from sqlalchemy import select

from storefront.catalog.models import Product, Release
from storefront.extensions import db


def test_demo_label_loads_once_and_makes_a_believable_shop(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    releases = db.session.scalars(select(Release)).all()
    assert len(releases) == 4
    kinds = {product.kind for product in db.session.scalars(select(Product))}
    assert kinds == {"vinyl", "cd", "cassette", "digital", "merch"}
    shirt = db.session.scalar(select(Product).where(Product.kind == "merch"))
    assert [option.label for option in shirt.options] == ["S", "M", "L", "XL"]
    for product in db.session.scalars(select(Product).where(Product.kind == "digital")):
        assert (Path(app.config["PRIVATE_DIR"]) / product.download_path).is_file()
    release = releases[0]
    page = client.get(f"/releases/{release.slug}").get_data(as_text=True)
    cover = client.get(f"/media/{release.cover_path}")
    cover.close()
    assert cover.status_code == 200
    assert "<audio" in page

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code != 0 and "empty" in again.output.lower()
    assert runner.invoke(args=["demo", "load", "--skip-if-loaded"]).exit_code == 0
    assert len(db.session.scalars(select(Release)).all()) == 4
