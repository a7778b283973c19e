"""The label's side of a quest: setting it up with a fragment, rotating its key, the
posters (read back by a real QR decoder), the rotating screen and the claims curve."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.quests.codes import SLOT_SECONDS, read_code, slot_at
from storefront.quests.models import Quest
from tests.conftest import fresh
from tests.support.quests import poster_url
from tests.support.staff import send, signed_in

OGG = b"OggS" + b"\x00" * 60


def quest_data(**fields) -> dict:
    return {
        "fragment_title": "Soundcheck",
        "fragment_kind": "text",
        "fragment_text": "La basse a tenu bon.",
        "message": "Merci Lausanne !",
        "opens_minutes_before_doors": "60",
        "closes_minutes_after_curfew": "180",
        **fields,
    }


def decoded(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_an_admin_sets_up_a_quest_with_an_audio_fragment(app, admin, client, make_gig):
    gig = make_gig()
    url = f"/admin/gigs/{gig.id}/quest"
    data = quest_data(fragment_kind="audio", fragment_file=(io.BytesIO(OGG), "check.ogg"))
    response = send(admin, url, data, content_type="multipart/form-data")
    assert response.status_code == 302
    quest = db.session.query(Quest).one()
    assert quest.fragment_kind == "audio" and quest.fragment_file.startswith("fragments/")
    assert (app.config["PRIVATE_DIR"] / quest.fragment_file).read_bytes() == OGG
    # The fan who scans gets a signed link to it, and the file behind it.
    fan = app.test_client()
    page = fan.get(poster_url(app, quest)).get_data(as_text=True)
    link = re.search(r'src="(/q/fragments/[^"]+)"', page).group(1)
    with fan.get(link) as played:
        assert played.data == OGG
    assert fan.get(link[:-2] + "xx").status_code == 404


def test_a_file_fragment_needs_its_file_and_the_form_keeps_what_was_typed(admin, make_gig):
    gig = make_gig()
    response = send(admin, f"/admin/gigs/{gig.id}/quest", quest_data(fragment_kind="image"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Upload the fragment&#39;s file" in page and "Merci Lausanne !" in page
    bad = quest_data(fragment_kind="image", fragment_file=(io.BytesIO(OGG), "x.png"))
    response = send(admin, f"/admin/gigs/{gig.id}/quest", bad, content_type="multipart/form-data")
    assert response.status_code == 422 and "not a JPEG, PNG or WebP" in response.get_data(
        as_text=True
    )
    assert db.session.query(Quest).count() == 0


def test_the_cap_cannot_go_under_the_stamps_given(app, admin, make_quest):
    quest = make_quest()
    for _fan in range(3):
        app.test_client().get(poster_url(app, quest))
    response = send(admin, f"/admin/gigs/{quest.gig_id}/quest", quest_data(cap="2"))
    assert response.status_code == 422
    assert "3 stamps are given already" in response.get_data(as_text=True)


def test_rotating_the_key_voids_the_old_poster(app, admin, make_quest):
    quest = make_quest()
    old = poster_url(app, quest)
    page = f"/admin/gigs/{quest.gig_id}/quest"
    assert send(admin, f"{page}/rotate", {}, page=page).status_code == 302
    assert fresh(quest).key_version == 2
    assert app.test_client().get(old).status_code == 404
    new_poster = admin.get(f"/admin/gigs/{quest.gig_id}/poster.png?size=a4").data
    code = decoded(new_poster)
    assert read_code(app.config["SECRET_KEY"], code.rsplit("/", 1)[1]).key_version == 2


@pytest.mark.parametrize("size", ["a4", "a6"])
def test_the_png_poster_decodes_to_exactly_the_claim_url(app, admin, make_quest, size):
    quest = make_quest()
    response = admin.get(f"/admin/gigs/{quest.gig_id}/poster.png?size={size}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert decoded(response.data) == "http://localhost" + poster_url(app, quest)


def test_the_svg_poster_names_the_city(admin, make_quest):
    quest = make_quest()
    response = admin.get(f"/admin/gigs/{quest.gig_id}/poster.svg?size=a6")
    assert response.mimetype == "image/svg+xml"
    assert b"Lausanne" in response.data and b'width="105mm"' in response.data


def test_a_poster_of_another_size_or_type_is_a_404(admin, make_quest):
    quest = make_quest()
    assert admin.get(f"/admin/gigs/{quest.gig_id}/poster.pdf").status_code == 404
    assert admin.get(f"/admin/gigs/{quest.gig_id}/poster.png?size=a0").status_code == 404
    assert admin.get("/admin/gigs/999999/poster.png").status_code == 404


def test_the_screen_shows_this_minutes_code_and_reloads_when_it_ends(app, admin, make_quest):
    quest = make_quest()
    before = slot_at(utcnow())
    page = admin.get(f"/admin/gigs/{quest.gig_id}/screen").get_data(as_text=True)
    url = re.search(r'aria-label="([^"]+)"', page).group(1)
    code = read_code(app.config["SECRET_KEY"], url.rsplit("/", 1)[1])
    assert code.gig_id == quest.gig_id and before <= code.slot <= slot_at(utcnow())
    reload_in = int(re.search(r'http-equiv="refresh" content="(\d+)"', page).group(1))
    assert 1 <= reload_in <= SLOT_SECONDS + 1
    assert 'class="site-header"' not in page  # the QR and the city, nothing else


def test_staff_hold_the_screen_and_print_posters_but_change_nothing(app, client, make_quest):
    quest = make_quest()
    staff = signed_in(client, "staff")
    assert staff.get(f"/admin/gigs/{quest.gig_id}/screen").status_code == 200
    assert staff.get(f"/admin/gigs/{quest.gig_id}/poster.png").status_code == 200
    assert staff.get(f"/admin/gigs/{quest.gig_id}/quest").status_code == 200
    page = f"/admin/gigs/{quest.gig_id}/quest"
    assert send(staff, f"{page}/rotate", {}, page=page).status_code == 403
    assert fresh(quest).key_version == 1


def test_the_quest_page_shows_the_claims_by_quarter_hour(app, admin, make_quest):
    quest = make_quest()
    for _fan in range(4):
        app.test_client().get(poster_url(app, quest))
    page = admin.get(f"/admin/gigs/{quest.gig_id}/quest").get_data(as_text=True)
    assert "4 stamps given" in page
    bars = re.findall(r"<title>[^<]*: (\d+)</title>", page)
    assert sum(map(int, bars)) == 4 and len(bars) >= (4 + 1 + 3) * 4  # 8 h window


def test_the_cli_writes_a_poster_that_decodes(app, make_quest, tmp_path):
    quest = make_quest()
    out = tmp_path / "lausanne.png"
    result = CliRunner().invoke(
        app.cli, ["quests", "poster", str(quest.gig_id), "--out", str(out), "--size", "a6"]
    )
    assert result.exit_code == 0, result.output
    assert decoded(out.read_bytes()) == "http://localhost" + poster_url(app, quest)
    svg = tmp_path / "lausanne.SVG"
    written = CliRunner().invoke(
        app.cli, ["quests", "poster", str(quest.gig_id), "--out", str(svg)]
    )
    assert written.exit_code == 0
    assert svg.read_bytes().lstrip().startswith(b"<")
    bad = CliRunner().invoke(app.cli, ["quests", "poster", str(quest.gig_id), "--out", "x.pdf"])
    assert bad.exit_code != 0 and ".png or .svg" in bad.output
    missing = CliRunner().invoke(app.cli, ["quests", "poster", "424242", "--out", "x.png"])
    assert missing.exit_code != 0 and "has no quest" in missing.output


def test_badges_are_added_and_a_granted_one_stays(app, admin, make_gig, make_quest):
    data = {"name": "Trois villes", "cities": "1", "reward": "discount", "reward_title": "10 %"}
    assert send(admin, "/admin/badges/new", data).status_code == 422  # no percentage
    assert send(admin, "/admin/badges/new", {**data, "discount_percent": "10"}).status_code == 302
    page = app.test_client().get(poster_url(app, make_quest())).get_data(as_text=True)
    assert "Badge earned: Trois villes" in page
    listing = admin.get("/admin/badges").get_data(as_text=True)
    assert "Trois villes" in listing and "/delete" not in listing
    badge_id = re.search(r"/admin/badges/(\d+)", listing).group(1)
    refused = send(admin, f"/admin/badges/{badge_id}/delete", {}, page="/admin/badges")
    assert refused.status_code == 302
    assert "Trois villes" in admin.get("/admin/badges").get_data(as_text=True)


def test_a_badge_nobody_earned_can_be_removed(admin):
    data = {"name": "Cinq villes", "cities": "5", "reward": "discount", "reward_title": "Code"}
    send(admin, "/admin/badges/new", {**data, "discount_percent": "15"})
    listing = admin.get("/admin/badges").get_data(as_text=True)
    delete = re.search(r'action="(/admin/badges/\d+/delete)"', listing).group(1)
    send(admin, delete, {}, page="/admin/badges")
    assert "Cinq villes" not in admin.get("/admin/badges").get_data(as_text=True)


def test_the_tour_list_leads_to_each_gigs_quest_and_the_badges(app, admin, make_gig, make_quest):
    quest = make_quest()
    bare = make_gig("Nantes")
    app.test_client().get(poster_url(app, quest))
    page = admin.get("/admin/tours").get_data(as_text=True)
    assert f'href="/admin/gigs/{quest.gig_id}/quest">1 stamp</a>' in page
    assert f'href="/admin/gigs/{bare.id}/quest">Set up</a>' in page
    assert 'href="/admin/badges"' in page
