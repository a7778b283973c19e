"""The baselines: the cheapest Flask routes that do the same visible work.

`/bare/page` returns as many bytes as the release page; `/bare/stock` runs only the
conditional stock UPDATE that a checkout runs. Served by the same gunicorn settings.
"""

from __future__ import annotations

import os

from flask import Flask, Response
from sqlalchemy import create_engine, text

from storefront.database import configure_sqlite

BODY_BYTES = int(os.environ.get("BARE_BODY_BYTES", "2048"))


def create_app() -> Flask:
    app = Flask(__name__)
    body = ("<!doctype html><p>" + "x" * BODY_BYTES)[:BODY_BYTES]
    engine = create_engine(os.environ["BARE_DATABASE_URL"])
    configure_sqlite(engine)  # the shop's own SQLite settings, for a fair comparison

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/bare/page")
    def page():
        return Response(body, mimetype="text/html")

    @app.post("/bare/stock/<int:product_id>")
    def stock(product_id: int):
        with engine.begin() as connection:
            taken = connection.execute(
                text("UPDATE product SET stock = stock - 1 WHERE id = :id AND stock >= 1"),
                {"id": product_id},
            ).rowcount
        return ("reserved", 200) if taken else ("sold out", 409)

    return app
