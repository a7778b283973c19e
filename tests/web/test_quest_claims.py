"""Scanning a gig's code: a stamp and the fragment at once, no account, no form; one
stamp per fan per gig; plain pages (and the right status) for every code not honoured."""

from __future__ import annotations

from datetime import timedelta

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.quests.models import Passport, Quest, Stamp
from tests.support.quests import poster_url, screen_url


def stamps_of(quest: Quest) -> int:
    return db.session.query(Stamp).filter_by(quest_id=quest.id).count()


def test_a_scan_gives_a_stamp_and_the_fragment_at_once(app, client, make_quest):
    quest = make_quest()
    response = client.get(poster_url(app, quest))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Stamped: Lausanne" in page
    assert "la basse a tenu bon" in page
    assert response.headers["Cache-Control"] == "no-store"
    cookie = client.get_cookie(app.config["PASSPORT_COOKIE"])
    assert cookie is not None and cookie.http_only
    assert stamps_of(quest) == 1


def test_scanning_again_adds_nothing(app, client, make_quest):
    quest = make_quest()
    client.get(poster_url(app, quest))
    again = client.get(poster_url(app, quest))
    assert "Already in your passport: Lausanne" in again.get_data(as_text=True)
    assert stamps_of(quest) == 1
    assert db.session.query(Passport).count() == 1
    db.session.refresh(quest)
    assert quest.stamps_given == 1


def test_two_fans_get_a_stamp_each(app, make_quest):
    quest = make_quest()
    for _fan in range(2):
        assert app.test_client().get(poster_url(app, quest)).status_code == 200
    assert stamps_of(quest) == 2


def test_a_forged_or_damaged_code_is_a_plain_404(app, client, make_quest):
    quest = make_quest()
    good = poster_url(app, quest)
    damaged = (good[:-1], good[:-3] + "AAA", good + "x", "/q/WzEsMV0.forged")
    for bad in (*damaged, "/q/%C3%A9t%C3%A9", "/q/x"):
        response = client.get(bad)
        assert response.status_code == 404, bad
        assert "This code is not valid" in response.get_data(as_text=True)
    assert stamps_of(quest) == 0


def test_rotating_the_key_voids_printed_codes(app, client, make_quest):
    quest = make_quest()
    old = poster_url(app, quest)
    quest.key_version += 1
    db.session.commit()
    response = client.get(old)
    assert response.status_code == 404
    assert "has been replaced" in response.get_data(as_text=True)
    assert client.get(poster_url(app, quest)).status_code == 200


def test_a_screen_code_works_two_slots_then_stops(app, client, make_quest):
    quest = make_quest()
    previous_slot = screen_url(app, quest, at=utcnow() - timedelta(seconds=60))
    assert client.get(previous_slot).status_code == 200
    old = app.test_client().get(screen_url(app, quest, at=utcnow() - timedelta(seconds=150)))
    assert old.status_code == 404
    assert "changes every minute" in old.get_data(as_text=True)


def test_a_screen_only_quest_refuses_poster_codes(app, client, make_quest):
    quest = make_quest(screen_only=True)
    assert client.get(poster_url(app, quest)).status_code == 404
    assert client.get(screen_url(app, quest)).status_code == 200


def test_before_the_window_the_page_says_when_and_where(app, client, make_gig, make_quest):
    gig = make_gig(doors=utcnow() + timedelta(days=2))
    response = client.get(poster_url(app, make_quest(gig)))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "not open yet" in page and "Salle de Lausanne" in page
    assert stamps_of(gig.quest) == 0


def test_after_the_window_the_quest_has_ended(app, client, make_gig, make_quest):
    gig = make_gig(doors=utcnow() - timedelta(days=2))
    response = client.get(poster_url(app, make_quest(gig)))
    assert response.status_code == 410
    assert "has ended" in response.get_data(as_text=True)


def test_a_full_quest_says_so_and_keeps_its_cap(app, make_quest):
    quest = make_quest(cap=2)
    for _fan in range(2):
        app.test_client().get(poster_url(app, quest))
    third = app.test_client().get(poster_url(app, quest))
    assert "Every stamp of tonight is given" in third.get_data(as_text=True)
    assert stamps_of(quest) == 2


def test_the_passport_lists_stamps_with_their_fragment(app, client, make_gig, make_quest):
    lyon = make_quest(make_gig("Lyon", zone="Europe/Paris", country="FR"))
    geneve = make_quest(make_gig("Genève"))
    client.get(poster_url(app, lyon))
    client.get(poster_url(app, geneve))
    page = client.get("/passport").get_data(as_text=True)
    assert "2 cities so far." in page
    assert page.index("Genève") < page.index("Lyon")  # latest first
    assert "Soundcheck, Lyon" in page
