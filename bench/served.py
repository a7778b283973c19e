"""The shop as gunicorn serves it in the benchmarks, with two baseline routes mounted
beside it: the same process, the same hooks and middleware, the same server settings.

`/bench/bare-page` returns as many bytes as a release page; `/bench/bare-stock/<id>`
runs only the conditional stock UPDATE a checkout runs. They exist only here.
"""

from __future__ import annotations

import os

from flask import Response
from sqlalchemy import update

from storefront import create_app
from storefront.catalog.models import Product
from storefront.extensions import csrf, db

app = create_app()
BODY = ("<!doctype html><p>" + "x" * 100_000)[: int(os.environ.get("BARE_BODY_BYTES", "2048"))]


@app.get("/bench/bare-page")
def bare_page():
    return Response(BODY, mimetype="text/html")


@app.post("/bench/bare-stock/<int:product_id>")
@csrf.exempt
def bare_stock(product_id: int):
    taken = db.session.execute(
        update(Product)
        .where(Product.id == product_id, Product.stock >= 1)
        .values(stock=Product.stock - 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return ("reserved", 200) if taken else ("sold out", 409)
