"""The rules of a quest's code, on their own: signed, naming its gig and key version, a
screen code good for its minute and one more, honoured inside the gig's window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.quests.codes import (
    SLOT_SECONDS,
    CodeInvalid,
    QuestCode,
    Refusal,
    Timing,
    judge,
    quest_window,
    read_code,
    sign_code,
    slot_at,
    slot_ends_at,
)

MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
SECRET = "a-secret-for-the-tests-only-0123456789"
NOW = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)


def honoured(code: QuestCode, *, gig_id=7, key_version=1, screen_only=False, now=NOW):
    return judge(code, gig_id=gig_id, key_version=key_version, screen_only=screen_only, now=now)


def test_a_signed_code_reads_back():
    assert read_code(SECRET, sign_code(SECRET, QuestCode(7, 1))) == QuestCode(7, 1)
    screen = QuestCode(7, 3, slot_at(NOW))
    assert read_code(SECRET, sign_code(SECRET, screen)) == screen


def test_a_code_is_short_enough_for_a_sparse_qr():
    assert len(sign_code(SECRET, QuestCode(123456, 12, slot_at(NOW)))) <= 60


@pytest.mark.parametrize(
    "damage",
    [
        lambda token: token[:-1],  # truncated
        lambda token: token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        lambda token: "WzgsMV0" + token[token.index(".") :],  # another gig, same signature
        lambda token: token.replace(".", ""),
        lambda token: "",
        lambda token: "é" + token,
    ],
)
def test_a_forged_tampered_or_truncated_code_is_invalid(damage):
    token = sign_code(SECRET, QuestCode(7, 1))
    with pytest.raises(CodeInvalid):
        read_code(SECRET, damage(token))


def test_a_code_signed_with_another_secret_is_invalid():
    with pytest.raises(CodeInvalid):
        read_code(SECRET, sign_code("another-secret-another-secret-000", QuestCode(7, 1)))


@pytest.mark.parametrize("payload", [[7], [7, 1, 2, 3], ["7", 1], [7, True], {"g": 7}, 7])
def test_a_genuine_signature_over_the_wrong_shape_is_invalid(payload):
    from itsdangerous import URLSafeSerializer

    token = URLSafeSerializer(SECRET, salt="sillon.quest").dumps(payload)
    with pytest.raises(CodeInvalid):
        read_code(SECRET, token)


def test_a_current_poster_code_is_honoured():
    assert honoured(QuestCode(7, 1)) is None


def test_a_revoked_key_version_is_refused():
    assert honoured(QuestCode(7, 1), key_version=2) is Refusal.REVOKED


def test_another_gigs_code_is_refused():
    assert honoured(QuestCode(8, 1)) is Refusal.OTHER_GIG


def test_a_screen_only_quest_refuses_posters_not_the_screen():
    assert honoured(QuestCode(7, 1), screen_only=True) is Refusal.NOT_SCREEN
    assert honoured(QuestCode(7, 1, slot_at(NOW)), screen_only=True) is None


def test_a_screen_code_has_one_slot_of_grace_and_no_more():
    slot = slot_at(NOW)
    assert honoured(QuestCode(7, 1, slot)) is None
    assert honoured(QuestCode(7, 1, slot - 1)) is None
    assert honoured(QuestCode(7, 1, slot - 2)) is Refusal.STALE
    assert honoured(QuestCode(7, 1, slot + 1)) is Refusal.STALE  # never shown yet


@given(MOMENTS, st.integers(min_value=-5, max_value=5))
def test_a_screen_code_is_honoured_exactly_for_its_slot_and_the_next(shown, later):
    code = QuestCode(7, 1, slot_at(shown))
    scanned = shown + timedelta(seconds=later * SLOT_SECONDS)
    assert (honoured(code, now=scanned) is None) == (slot_at(scanned) - code.slot in (0, 1))


@given(MOMENTS)
def test_a_slot_ends_after_the_instant_it_contains(moment):
    slot = slot_at(moment)
    assert moment < slot_ends_at(slot) <= moment + timedelta(seconds=SLOT_SECONDS)
    assert slot_at(slot_ends_at(slot)) == slot + 1


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


def test_the_window_runs_from_an_hour_before_doors_to_three_hours_after_curfew():
    window = quest_window(paris(2026, 12, 3, 20, 0), paris(2026, 12, 3, 23, 30))
    assert window.timing(paris(2026, 12, 3, 18, 59)) is Timing.NOT_YET
    assert window.timing(paris(2026, 12, 3, 19, 0)) is Timing.OPEN
    assert window.timing(paris(2026, 12, 4, 2, 29)) is Timing.OPEN  # across midnight
    assert window.timing(paris(2026, 12, 4, 2, 30)) is Timing.ENDED


def test_a_night_across_the_spring_change_keeps_real_hours():
    # Doors 22:00 on 27 March 2027, curfew 03:30 the next morning: the clocks jump from
    # 02:00 to 03:00 in between, so the night lasts 4.5 real hours, and the window ends
    # three real hours after the curfew, at 06:30 on the venue's clock.
    doors, curfew = paris(2027, 3, 27, 22, 0), paris(2027, 3, 28, 3, 30)
    window = quest_window(doors, curfew)
    assert curfew - doors == timedelta(hours=4, minutes=30)
    assert window.closes_at.astimezone(ZoneInfo("Europe/Paris")).hour == 6
    assert window.timing(paris(2027, 3, 28, 6, 29)) is Timing.OPEN
    assert window.timing(paris(2027, 3, 28, 6, 30)) is Timing.ENDED


def test_a_night_across_the_autumn_change_keeps_real_hours():
    doors = paris(2026, 10, 24, 22, 0)
    curfew = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
    window = quest_window(doors, curfew)
    assert curfew - doors == timedelta(hours=5, minutes=30)  # one hour lived twice
    assert window.closes_at - window.opens_at == timedelta(hours=9, minutes=30)


@given(
    MOMENTS,
    st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(hours=12)),
    st.integers(min_value=0, max_value=24 * 60),
    st.integers(min_value=0, max_value=24 * 60),
    MOMENTS,
)
def test_the_window_is_open_exactly_between_its_edges(doors, length, before, after, now):
    window = quest_window(
        doors,
        doors + length,
        opens_before=timedelta(minutes=before),
        closes_after=timedelta(minutes=after),
    )
    inside = doors - timedelta(minutes=before) <= now < doors + length + timedelta(minutes=after)
    assert (window.timing(now) is Timing.OPEN) == inside
    if not inside:
        assert window.timing(now) is (Timing.NOT_YET if now < window.opens_at else Timing.ENDED)
