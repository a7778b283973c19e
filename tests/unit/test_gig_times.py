"""A gig's times on the venue's clock, whatever the visitor's zone."""

from datetime import UTC, datetime

from storefront.quests.times import is_over, local_times


def test_doors_are_told_in_the_venues_zone_with_its_name_winter_and_summer():
    winter = local_times(
        datetime(2026, 12, 12, 19, 0, tzinfo=UTC),
        datetime(2026, 12, 12, 23, 0, tzinfo=UTC),
        "Europe/Zurich",
    )
    assert (winter.doors.hour, winter.zone, winter.curfew.hour) == (20, "CET", 0)
    assert winter.date.isoformat() == "2026-12-12"
    summer = local_times(
        datetime(2027, 7, 3, 18, 0, tzinfo=UTC),
        datetime(2027, 7, 3, 22, 0, tzinfo=UTC),
        "Europe/Paris",
    )
    assert (summer.doors.hour, summer.zone) == (20, "CEST")


def test_a_late_gig_is_on_the_venues_date_not_utcs():
    times = local_times(
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        datetime(2027, 1, 1, 3, 0, tzinfo=UTC),
        "America/Montreal",
    )
    assert times.date.isoformat() == "2026-12-31" and times.doors.hour == 18


def test_a_gig_is_upcoming_until_its_curfew():
    curfew = datetime(2026, 12, 12, 23, 0, tzinfo=UTC)
    assert not is_over(curfew, datetime(2026, 12, 12, 22, 59, tzinfo=UTC))
    assert is_over(curfew, curfew)
