"""A gig's times on the venue's clock, whatever the visitor's zone."""

from datetime import UTC, datetime

import pytest

from storefront.quests.times import is_over, local_times, venue_time_to_utc


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


def test_a_time_typed_on_the_venues_clock_is_stored_in_utc_summer_and_winter():
    assert venue_time_to_utc(datetime(2026, 7, 4, 20, 0), "Europe/Zurich") == datetime(
        2026, 7, 4, 18, 0, tzinfo=UTC
    )
    assert venue_time_to_utc(datetime(2026, 12, 12, 20, 0), "Europe/Zurich") == datetime(
        2026, 12, 12, 19, 0, tzinfo=UTC
    )


def test_a_curfew_after_midnight_is_on_the_next_days_date_there_and_the_day_before_in_utc():
    # 00:30 on New Year's Day in Lisbon (UTC+0) and in Berlin (UTC+1, still 31 December in UTC).
    assert venue_time_to_utc(datetime(2027, 1, 1, 0, 30), "Europe/Lisbon") == datetime(
        2027, 1, 1, 0, 30, tzinfo=UTC
    )
    assert venue_time_to_utc(datetime(2027, 1, 1, 0, 30), "Europe/Berlin") == datetime(
        2026, 12, 31, 23, 30, tzinfo=UTC
    )


def test_a_time_the_spring_clocks_skip_is_refused():
    # 29 March 2026 in Paris: 02:00 becomes 03:00, so 02:30 never shows on a clock.
    with pytest.raises(ValueError, match="2026-03-29 02:30 does not exist in Europe/Paris"):
        venue_time_to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Paris")
    assert venue_time_to_utc(datetime(2026, 3, 29, 3, 0), "Europe/Paris") == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )


def test_a_time_the_autumn_clocks_show_twice_is_the_first_of_the_two():
    # 25 October 2026 in Paris: 03:00 (summer) goes back to 02:00, so 02:30 comes twice.
    first = venue_time_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Paris")
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not 01:30 UTC
    assert local_times(first, first, "Europe/Paris").zone == "CEST"
