"""The admin's tour: tours and gigs made, edited and removed, times typed on the venue's
clock and kept in UTC, refusals that keep what was typed, who may do what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.quests import admin as services
from storefront.quests.models import Gig, Tour
from tests.conftest import fresh
from tests.support.staff import send


@pytest.fixture
def tour():
    made = Tour(name="Tournée d'été", artist="Collectif Larsen")
    db.session.add(made)
    db.session.commit()
    return made


@pytest.fixture
def gig(tour):
    """Genève, 4 July 2030: doors 20:00, curfew 23:30 on the venue's clock (CEST)."""
    made = Gig(
        tour=tour,
        city="Genève",
        venue="Salle Ninkasi",
        country="CH",
        timezone="Europe/Zurich",
        doors_at=datetime(2030, 7, 4, 18, 0, tzinfo=UTC),
        curfew_at=datetime(2030, 7, 4, 21, 30, tzinfo=UTC),
        ticket_url="https://tickets.example/geneve",
        notes="",
    )
    db.session.add(made)
    db.session.commit()
    return made


def gig_data(**fields) -> dict:
    data = {"city": "Genève", "venue": "Salle Ninkasi", "country": "ch"}
    data |= {"timezone": "Europe/Zurich", "other_timezone": ""}
    data |= {"doors": "2030-07-04T20:00", "curfew": "2030-07-04T23:30"}
    data |= {"ticket_url": "https://tickets.example/geneve", "notes": "All ages."}
    return {**data, **fields}


def add_gig(admin, tour: Tour, **fields):
    return send(admin, f"/admin/tours/{tour.id}/gigs/new", gig_data(**fields))


def edit_gig(admin, gig: Gig, **fields):
    return send(admin, f"/admin/gigs/{gig.id}", gig_data(**fields))


def gigs() -> list[Gig]:
    db.session.expire_all()
    return list(db.session.scalars(select(Gig).order_by(Gig.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


# --- making and editing -----------------------------------------------------------------


def test_a_tour_and_its_gig_made_in_the_admin_are_on_the_fans_tour_page(admin, client):
    made = send(admin, "/admin/tours/new", {"name": "Été 2030", "artist": "Duo Granulaire"})
    assert made.status_code == 302
    tour = db.session.scalar(select(Tour))
    assert (tour.name, tour.artist) == ("Été 2030", "Duo Granulaire")
    assert made.headers["Location"] == f"/admin/tours#tour-{tour.id}"

    assert add_gig(admin, tour).status_code == 302
    [gig] = gigs()
    # Genève's 20:00 in July is summer time (UTC+2): 18:00 UTC on record.
    assert gig.doors_at == datetime(2030, 7, 4, 18, 0, tzinfo=UTC)
    assert gig.curfew_at == datetime(2030, 7, 4, 21, 30, tzinfo=UTC)
    assert (gig.tour_id, gig.country, gig.timezone) == (tour.id, "CH", "Europe/Zurich")
    assert (gig.ticket_url, gig.notes) == ("https://tickets.example/geneve", "All ages.")

    fans = text(client.get("/tour"))
    assert "Genève" in fans and "Salle Ninkasi" in fans and "Été 2030" in fans
    assert "8:00" in fans and "CEST" in fans  # the venue's clock, not UTC's 6:00
    listed = text(admin.get("/admin/tours"))
    assert "Genève" in listed and "8:00" in listed and "11:30" in listed
    assert "Europe/Zurich" in listed and f"/admin/gigs/{gig.id}" in listed


def test_a_gig_is_edited_on_the_venues_clock_and_the_fans_page_follows(admin, client, gig):
    form = text(admin.get(f"/admin/gigs/{gig.id}"))
    assert 'value="2030-07-04T20:00"' in form and 'value="2030-07-04T23:30"' in form
    assert '<option selected value="Europe/Zurich">' in form
    assert "Salle Ninkasi" in text(client.get("/tour"))  # seen before: a stale copy would show

    saved = edit_gig(admin, gig, venue="Le Chat Noir", doors="2030-07-04T21:00")
    assert saved.status_code == 302
    gig = fresh(gig)
    assert gig.venue == "Le Chat Noir" and gig.doors_at == datetime(2030, 7, 4, 19, 0, tzinfo=UTC)
    fans = text(client.get("/tour"))
    assert "Le Chat Noir" in fans and "Salle Ninkasi" not in fans and "9:00" in fans


def test_a_venue_in_a_zone_not_listed_takes_its_iana_name(admin, tour):
    added = add_gig(
        admin,
        tour,
        city="Montréal",
        country="CA",
        timezone="",
        other_timezone="America/Montreal",
        doors="2030-12-31T23:00",
        curfew="2031-01-01T02:00",
    )
    assert added.status_code == 302
    [gig] = gigs()
    assert gig.timezone == "America/Montreal"
    assert gig.doors_at == datetime(2031, 1, 1, 4, 0, tzinfo=UTC)  # UTC-5: already next year
    form = text(admin.get(f"/admin/gigs/{gig.id}"))
    assert 'value="America/Montreal"' in form and '<option selected value="">' in form


def test_saving_a_gig_as_shown_keeps_the_instant_on_record(admin, gig):
    # The second 02:30 of the autumn night (CET) and seconds: neither shows in the form.
    gig.doors_at = datetime(2030, 10, 27, 1, 30, 42, tzinfo=UTC)
    gig.curfew_at = datetime(2030, 10, 27, 4, 0, tzinfo=UTC)
    gig.timezone = "Europe/Paris"
    db.session.commit()
    shown = {"timezone": "Europe/Paris", "doors": "2030-10-27T02:30"}
    shown["curfew"] = "2030-10-27T05:00"
    assert edit_gig(admin, gig, notes="Doors a little late.", **shown).status_code == 302
    gig = fresh(gig)
    assert gig.notes == "Doors a little late."
    assert gig.doors_at == datetime(2030, 10, 27, 1, 30, 42, tzinfo=UTC)


def test_a_tour_is_renamed(admin, tour):
    data = {"name": "Tournée d'automne", "artist": "Collectif Larsen"}
    assert send(admin, f"/admin/tours/{tour.id}", data).status_code == 302
    assert fresh(tour).name == "Tournée d'automne"


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"curfew": "2030-07-04T19:00"}, "The curfew comes after the doors open."),
        (
            {"timezone": "", "other_timezone": "Mars/Olympus_Mons"},
            "“Mars/Olympus_Mons” is not a time zone",
        ),
        ({"timezone": "", "other_timezone": "localtime"}, "“localtime” is not a time zone"),
        ({"timezone": "", "other_timezone": ""}, "Choose the venue&#39;s time zone."),
        ({"timezone": "Mars/Olympus_Mons"}, "Not a valid choice"),
        (
            {"timezone": "Europe/Paris", "doors": "2030-03-31T02:30"},
            "2030-03-31 02:30 does not exist in Europe/Paris",
        ),
        ({"doors": "4 July, 8pm"}, "Write the date and time as YYYY-MM-DD HH:MM"),
        ({"ticket_url": "javascript:alert(1)"}, "The ticket link is a web address"),
        ({"ticket_url": "ftp://tickets.example/x"}, "The ticket link is a web address"),
        ({"city": ""}, "This field is required."),
        ({"city": "   "}, "Give the city, like Genève."),
        ({"country": "Suisse"}, "Field cannot be longer than 2 characters."),
        ({"country": "C1"}, "The country is its two-letter code"),
    ],
)
def test_a_wrong_gig_comes_back_saying_why_with_everything_typed(admin, tour, fields, message):
    response = add_gig(admin, tour, venue="Salle Ninkasi", notes="Bring earplugs.", **fields)
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert 'value="Salle Ninkasi"' in page and "Bring earplugs." in page
    typed = gig_data(**fields)
    for name in ("doors", "curfew", "other_timezone", "ticket_url"):
        if typed[name]:
            assert f'value="{typed[name]}"' in page, name
    if typed["timezone"].startswith("Europe/"):
        assert f'<option selected value="{typed["timezone"]}">' in page
    assert gigs() == []


def test_an_edit_refused_changes_nothing(admin, gig):
    response = edit_gig(admin, gig, venue="Ailleurs", curfew="2030-07-04T18:00")
    assert response.status_code == 422
    assert "The curfew comes after the doors open." in text(response)
    assert 'value="Ailleurs"' in text(response)
    assert fresh(gig).venue == "Salle Ninkasi"


def test_a_tour_needs_a_name(admin):
    response = send(admin, "/admin/tours/new", {"name": "", "artist": "Duo Granulaire"})
    assert response.status_code == 422
    assert "This field is required." in text(response)
    assert 'value="Duo Granulaire"' in text(response)
    assert db.session.scalar(select(func.count(Tour.id))) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tours/999999",
        "/admin/tours/99999999999999999999999",
        "/admin/tours/-1",
        "/admin/tours/ete",
        "/admin/tours/999999/gigs/new",
        "/admin/gigs/999999",
        "/admin/gigs/99999999999999999999999",
        "/admin/gigs/١٢",
    ],
)
def test_ids_nobody_could_have_are_404(admin, url):
    assert admin.get(url).status_code == 404


def test_removing_what_does_not_exist_is_404(admin):
    for url in ("/admin/gigs/999999/delete", "/admin/tours/999999/delete"):
        assert send(admin, url, {}, page="/admin/tours").status_code == 404, url


# --- removing ---------------------------------------------------------------------------


def test_a_gig_is_removed_and_the_fans_page_forgets_it(admin, client, gig):
    assert "Genève" in text(client.get("/tour"))
    removed = send(admin, f"/admin/gigs/{gig.id}/delete", {}, page="/admin/tours")
    assert removed.status_code == 302 and removed.headers["Location"] == "/admin/tours"
    assert gigs() == []
    assert "Gig removed." in text(admin.get("/admin/tours"))
    assert "Genève" not in text(client.get("/tour"))


def test_a_tour_with_gigs_is_not_removed_and_says_so(admin, tour, gig):
    listed = text(admin.get("/admin/tours"))
    assert f"/admin/tours/{tour.id}/delete" not in listed  # not offered
    refused = send(admin, f"/admin/tours/{tour.id}/delete", {}, page="/admin/tours")
    assert refused.status_code == 302
    assert "This tour still has 1 gig: delete it first" in text(admin.get("/admin/tours"))
    assert fresh(tour) is not None and len(gigs()) == 1

    send(admin, f"/admin/gigs/{gig.id}/delete", {}, page="/admin/tours")
    assert f"/admin/tours/{tour.id}/delete" in text(admin.get("/admin/tours"))
    send(admin, f"/admin/tours/{tour.id}/delete", {}, page="/admin/tours")
    assert "Tour removed." in text(admin.get("/admin/tours"))
    assert db.session.scalar(select(func.count(Tour.id))) == 0


def test_a_gig_something_depends_on_is_not_removed(admin, gig, monkeypatch):
    monkeypatch.setattr(services, "gig_dependents", lambda session, gig: ["Fans hold stamps."])
    listed = text(admin.get("/admin/tours"))
    assert f"/admin/gigs/{gig.id}/delete" not in listed
    send(admin, f"/admin/gigs/{gig.id}/delete", {}, page="/admin/tours")
    assert "This gig cannot be deleted. Fans hold stamps." in text(admin.get("/admin/tours"))
    assert len(gigs()) == 1


# --- who may do what --------------------------------------------------------------------


def test_staff_read_the_tour_but_change_nothing(staff, tour, gig):
    listed = text(staff.get("/admin/tours"))
    assert "Genève" in listed and "8:00" in listed
    assert "/admin/tours/new" not in listed and "/delete" not in listed
    for page in (f"/admin/tours/{tour.id}", f"/admin/gigs/{gig.id}"):
        shown = staff.get(page)
        assert shown.status_code == 200 and "disabled" in text(shown)
        assert "Save the" not in text(shown)
    for page in ("/admin/tours/new", f"/admin/tours/{tour.id}/gigs/new"):
        assert staff.get(page).status_code == 403
    writes = [
        ("/admin/tours/new", {"name": "Pirate tour", "artist": "Nobody"}),
        (f"/admin/tours/{tour.id}", {"name": "Renamed", "artist": "Nobody"}),
        (f"/admin/tours/{tour.id}/gigs/new", gig_data()),
        (f"/admin/gigs/{gig.id}", gig_data(city="Paris")),
        (f"/admin/gigs/{gig.id}/delete", {}),
        (f"/admin/tours/{tour.id}/delete", {}),
    ]
    for url, data in writes:
        assert send(staff, url, data, page="/admin/tours").status_code == 403, url
    assert fresh(tour).name == "Tournée d'été" and [g.city for g in gigs()] == ["Genève"]


def test_anonymous_visitors_are_sent_to_sign_in(client, tour, gig):
    for url in ("/admin/tours", f"/admin/gigs/{gig.id}"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/admin/login?next=")
    deleted = send(client, f"/admin/gigs/{gig.id}/delete", {}, page="/tour")
    assert deleted.status_code == 302 and deleted.headers["Location"] == "/admin/login"
    assert len(gigs()) == 1
