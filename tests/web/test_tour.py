"""The tour page, a gig's page and the tour JSON: upcoming and past gigs by tour, in each
venue's own time."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.quests.models import Gig, Tour


@pytest.fixture
def tour():
    now = utcnow().replace(microsecond=0)
    winter = Tour(name="Tournée d'hiver", artist="Collectif Larsen")
    spring = Tour(name="Printemps", artist="Duo Granulaire")

    def gig(tour, city, zone, doors):
        tour.gigs.append(
            Gig(
                city=city,
                venue=f"Salle de {city}",
                country="FR",
                timezone=zone,
                doors_at=doors,
                curfew_at=doors + timedelta(hours=4),
                ticket_url="https://tickets.example/x",
                notes="",
            )
        )

    gig(winter, "Lyon", "Europe/Paris", now - timedelta(days=20))
    gig(winter, "Genève", "Europe/Zurich", now - timedelta(days=10))
    gig(winter, "Lausanne", "Europe/Zurich", now - timedelta(hours=1))  # on tonight
    gig(winter, "Nantes", "Europe/Paris", now + timedelta(days=5))
    gig(spring, "Lille", "Europe/Paris", now + timedelta(days=3))
    db.session.add_all([winter, spring])
    db.session.commit()
    return winter, spring


def cities(gigs: list[dict]) -> list[str]:
    return [gig["city"] for gig in gigs]


def test_the_tour_json_lists_upcoming_soonest_first_and_past_latest_first(client, tour):
    response = client.get("/api/v1/gigs")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.json
    # Grouped by tour, tours in the order of their next gig: winter's tonight comes first.
    assert cities(data["upcoming"]) == ["Lausanne", "Nantes", "Lille"]
    assert cities(data["past"]) == ["Genève", "Lyon"]
    tonight = data["upcoming"][0]
    assert tonight["over"] is False and tonight["timezone"] == "Europe/Zurich"
    assert tonight["doors_at"].endswith("Z") and tonight["doors_local"][-6:] in {"+01:00", "+02:00"}
    assert tonight["url"].endswith(f"/gigs/{tonight['id']}")


def test_the_tour_page_shows_both_tours_and_the_venues_time(client, tour):
    html = client.get("/tour", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html.index("Upcoming") < html.index("Lausanne") < html.index("Past gigs")
    assert html.index("Past gigs") < html.index("Genève") < html.index("Lyon")
    assert "Duo Granulaire" in html and "Collectif Larsen" in html
    winter, _ = tour
    geneva = winter.gigs[1]
    local = geneva.doors_at.astimezone(ZoneInfo("Europe/Zurich"))
    page = client.get(f"/gigs/{geneva.id}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert local.strftime("%-I:%M") in text and local.tzname() in text
    assert "This gig is over" in text and "Tickets" not in text


def test_an_upcoming_gig_links_to_its_tickets_and_an_unknown_one_is_404(client, tour):
    winter, _ = tour
    nantes = winter.gigs[3]
    html = client.get(f"/gigs/{nantes.id}").get_data(as_text=True)
    assert 'href="https://tickets.example/x"' in html
    for url in ("/gigs/999999", "/gigs/99999999999999999999999", "/gigs/-1", "/gigs/lyon"):
        assert client.get(url).status_code == 404, url
    missing = client.get("/api/v1/gigs/999999")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    assert client.get(f"/api/v1/gigs/{nantes.id}").json["city"] == "Nantes"


def test_a_tour_with_no_gigs_says_so(client):
    html = client.get("/tour", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No dates announced yet." in html


def test_the_tour_speaks_french_with_the_venues_24_hour_clock(client, tour):
    winter, _ = tour
    geneva = winter.gigs[1]
    local = geneva.doors_at.astimezone(ZoneInfo("Europe/Zurich"))
    html = client.get("/tour", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Concerts passés" in html and "Tournée" in html
    assert f"portes {local:%H:%M}" in html
