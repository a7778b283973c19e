"""The verifier as a fan runs it: verify.py downloaded from the shop, run with a bare
Python (an empty venv, isolated mode, no shop, no PYTHONPATH) against the live JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from storefront.editions import draw
from tests.support.fairness import fill_campaign_pools, sell_out_with_a_refund


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    """The python of a venv with nothing installed in it, not even pip."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@pytest.fixture
def verifier(live_server, tmp_path) -> Path:
    """verify.py as the draw page's link downloads it, in a folder of its own."""
    with urllib.request.urlopen(f"{live_server}/editions/verify.py", timeout=30) as response:
        script = tmp_path / "verify.py"
        script.write_bytes(response.read())
    return script


def run(bare_python: Path, script: Path, source: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    return subprocess.run(
        [str(bare_python), "-I", script.name, source],
        cwd=script.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_the_bare_python_cannot_import_the_shop(bare_python, tmp_path):
    result = subprocess.run(
        [str(bare_python), "-I", "-c", "import flask"], cwd=tmp_path, capture_output=True
    )
    assert result.returncode != 0, "the venv must be empty for the tests below to mean much"


def test_the_downloaded_verifier_is_the_draw_module(verifier):
    assert verifier.read_bytes() == Path(draw.__file__).read_bytes()


def test_a_sold_out_edition_replays_from_its_live_url(
    bare_python, verifier, live_server, make_edition
):
    edition = sell_out_with_a_refund(make_edition)
    result = run(bare_python, verifier, f"{live_server}/api/v1/editions/{edition.id}/fairness")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("and 2 insert pool(s) replay exactly"), (
        "the log and both pools are checked"
    )


def forge_number(data: dict) -> None:
    first = data["log"][0]
    drawn = (first["variant_position"], first["number"])
    first["variant_position"], first["number"] = (0, 2) if drawn == (0, 1) else (0, 1)


def forge_insert(data: dict) -> None:
    pool = data["insert_pools"][0]
    pool["awarded"][0] = pool["awarded"][0] % data["edition"]["size"] + 1


def forge_commitment(data: dict) -> None:
    data["commitment"] = "0" * 64


@pytest.mark.parametrize(
    ("forge", "problem"),
    [
        (forge_number, "- draw 1 gives"),
        (forge_commitment, "- sha256(server_seed) is not the published commitment"),
        (forge_insert, "- insert pool 'a studio notebook': the seed gives places"),
    ],
)
def test_a_tampered_json_is_caught(
    bare_python, verifier, live_server, tmp_path, make_edition, forge, problem
):
    edition = sell_out_with_a_refund(make_edition)
    data = fetch_json(f"{live_server}/api/v1/editions/{edition.id}/fairness")
    forge(data)
    saved = tmp_path / "forged.json"
    saved.write_text(json.dumps(data))
    result = run(bare_python, verifier, str(saved))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 problem(s)" in result.stdout and problem in result.stdout


def test_a_campaign_with_insert_pools_replays_from_its_live_url(
    bare_python, verifier, live_server, make_campaign
):
    campaign = make_campaign()
    fill_campaign_pools(campaign)
    slug = campaign.release.slug
    result = run(bare_python, verifier, f"{live_server}/api/v1/releases/{slug}/campaign")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == (
        f"{slug}: the commitment and inserts of all 2 insert pool(s) replay exactly"
    )


def test_a_campaign_pool_with_a_changed_rank_is_caught(
    bare_python, verifier, live_server, tmp_path, make_campaign
):
    campaign = make_campaign()
    fill_campaign_pools(campaign)
    data = fetch_json(f"{live_server}/api/v1/releases/{campaign.release.slug}/campaign")
    signed = data["insert_pools"][1]
    signed["awarded"] = [signed["awarded"][0] % signed["run"] + 1]
    saved = tmp_path / "forged.json"
    saved.write_text(json.dumps(data))
    result = run(bare_python, verifier, str(saved))
    assert result.returncode == 1
    assert "- insert pool 'a signed insert': the seed gives places" in result.stdout


def test_an_unreachable_url_says_so(bare_python, verifier, live_server):
    result = run(bare_python, verifier, f"{live_server}/api/v1/editions/4242/fairness")
    assert result.returncode == 2
    assert "cannot read" in result.stderr and "404" in result.stderr
