"""The liner notes' names: members of tiers with liner notes who keep their benefits."""

from __future__ import annotations

from datetime import timedelta

from storefront.clock import utcnow
from storefront.extensions import db
from tests.support.benefits import end_membership, make_member, make_tier


def test_the_csv_lists_exactly_the_eligible_names(admin):
    liner = make_tier("Gold", liner_notes=True)
    other = make_tier("Bronze", liner_notes=False)
    make_member(liner, "a@example.org", liner_name="Zoé Martin")
    make_member(liner, "b@example.org", liner_name="  ")  # no name given: left out
    make_member(liner, "c@example.org", liner_name="=cmd()")
    make_member(other, "d@example.org", liner_name="Not On Tier")
    _fan, gone = make_member(liner, "e@example.org", liner_name="Lapsed Fan")
    end_membership(gone)
    _fan, late = make_member(liner, "f@example.org", liner_name="Past Due Fan")
    late.state, late.past_due_since = "past_due", utcnow() - timedelta(days=1)
    db.session.commit()
    response = admin.get("/admin/tiers/liner-notes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines() == [
        "name",
        "'=cmd()",
        "Past Due Fan",
        "Zoé Martin",
    ]
    page = admin.get("/admin/tiers/liner-notes").get_data(as_text=True)
    assert "Zoé Martin" in page and "Lapsed Fan" not in page and "Not On Tier" not in page


def test_liner_notes_are_for_admins(staff):
    assert staff.get("/admin/tiers/liner-notes.csv").status_code == 403
