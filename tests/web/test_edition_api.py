"""The public fairness JSON: its shape, the seed revealed only once closed, a replayable log."""

import hashlib

from storefront.clock import utcnow
from storefront.editions.draw import check
from storefront.editions.services import close_edition, copies_of_order, order_hash
from storefront.extensions import db
from storefront.payments.services import refund_order
from tests.conftest import fresh
from tests.support.campaigns import preorder


def fairness_json(client, edition) -> dict:
    response = client.get(f"/api/v1/editions/{edition.id}/fairness")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers, "no session write"
    return response.json


def test_fairness_json_has_its_shape(client, make_edition):
    edition = make_edition()
    order = preorder(edition.product, quantity=2, email="a@example.org")
    copies = copies_of_order(db.session, order)
    data = fairness_json(client, edition)
    assert set(data) == {"edition", "variants", "commitment", "server_seed", "log", "insert_pools"}
    assert data["edition"] == {
        "id": edition.id,
        "name": "Grains de Sable, édition limitée",
        "size": 8,
        "opened_at": edition.opened_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "closed_at": None,
    }
    assert [(v["name"], v["position"], v["count"]) for v in data["variants"]] == [
        ("standard", 0, 5),
        ("silver", 1, 2),
        ("gold", 2, 1),
    ]
    assert sum(v["left"] for v in data["variants"]) == 6
    assert data["commitment"] == hashlib.sha256(edition.server_seed).hexdigest()
    assert data["log"] == [
        {
            "sequence": copy.sequence,
            "kind": "draw",
            "client_seed": order.client_seed,
            "seed_made_by_server": True,
            "variant": copy.variant.name,
            "variant_position": copy.variant.position,
            "number": copy.number,
            "order": order_hash(order.reference),
        }
        for copy in copies
    ]
    assert order.reference not in str(data), "only a short hash of the reference is public"


def test_the_seed_is_null_until_the_edition_closes_then_the_log_replays(client, make_edition):
    edition = make_edition()
    first = preorder(edition.product, quantity=2, email="a@example.org")
    preorder(edition.product, email="b@example.org")
    refund_order(db.session, fresh(first), reason="changed mind", now=utcnow())
    preorder(edition.product, email="c@example.org")
    data = fairness_json(client, edition)
    assert data["server_seed"] is None
    assert check(data) == [
        "the server seed is not revealed yet: it is published when the edition closes"
    ]

    close_edition(db.session, fresh(edition), now=utcnow())
    data = fairness_json(client, edition)
    assert data["server_seed"] == edition.server_seed.hex()
    assert data["edition"]["closed_at"] is not None
    assert [e["kind"] for e in data["log"]] == [
        "draw",
        "draw",
        "draw",
        "release",
        "release",
        "draw",
    ]
    assert check(data) == []
    forged = {**data, "server_seed": "00" + data["server_seed"][2:]}
    assert "sha256(server_seed) is not the published commitment" in check(forged)
    first = data["log"][0]
    first["variant_position"], first["number"] = (first["variant_position"] + 1) % 3, 1
    assert check(data)[0].startswith("draw 1 gives"), "a changed result is caught"


def test_a_sold_out_edition_reveals_its_seed(client, make_edition):
    edition = make_edition(variants=(("standard", 1), ("gold", 1)))
    preorder(edition.product, quantity=2)
    data = fairness_json(client, edition)
    assert data["server_seed"] == edition.server_seed.hex()
    assert check(data) == []


def test_an_unknown_edition_is_a_json_404(client):
    for url in (
        "/api/v1/editions/4242/fairness",
        "/api/v1/editions/99999999999999999999999/fairness",
        "/api/v1/editions/abc/fairness",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json["error"] == "not_found"
        assert response.json["message"]
    response = client.get("/api/v1/editions/4242/fairness")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
