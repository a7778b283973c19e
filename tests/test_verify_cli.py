"""`python -m storefront.editions.verify FILE_OR_URL`, run as a fan would: in a subprocess,
on a file saved from a real edition, on a tampered copy, and against the live shop."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storefront.clock import utcnow
from storefront.editions.services import close_edition, fairness
from storefront.extensions import db
from storefront.payments.services import refund_order
from tests.conftest import fresh
from tests.support.campaigns import preorder

ROOT = Path(__file__).resolve().parent.parent


def verify(source: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "storefront.editions.verify", source],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def closed_edition(make_edition):
    """An edition with a few paid orders, a refund, and its seed revealed."""
    edition = make_edition()
    for n, quantity in enumerate((2, 1, 1)):
        preorder(edition.product, quantity=quantity, email=f"fan{n}@example.org")
    refunded = preorder(edition.product, email="changed-mind@example.org")
    refund_order(db.session, refunded, reason="changed mind", now=utcnow())
    close_edition(db.session, fresh(edition), now=utcnow())
    return fresh(edition)


def saved(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "fairness.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_a_saved_log_replays(tmp_path, closed_edition):
    data = fairness(db.session, closed_edition)
    result = verify(saved(tmp_path, data))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == (
        "Grains de Sable, édition limitée: commitment and all 6 log entries replay exactly"
    )


def test_a_tampered_log_is_caught(tmp_path, closed_edition):
    data = fairness(db.session, closed_edition)
    first = data["log"][0]
    first["variant_position"], first["number"] = (first["variant_position"] + 1) % 3, 1
    result = verify(saved(tmp_path, data))
    assert result.returncode == 1
    assert "1 problem(s)" in result.stdout and "- draw 1 gives" in result.stdout


def test_an_open_edition_cannot_be_checked_yet(tmp_path, make_edition):
    edition = make_edition()
    preorder(edition.product)
    result = verify(saved(tmp_path, fairness(db.session, edition)))
    assert result.returncode == 1
    assert "the server seed is not revealed yet" in result.stdout


def test_the_live_shop_url_replays(live_server, closed_edition):
    result = verify(f"{live_server}/api/v1/editions/{closed_edition.id}/fairness")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "replay exactly" in result.stdout
