"""The pure draw: bounded, unique, replayable, tamper-evident, and fair over many editions."""

import secrets
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.editions.draw import (
    CopyRef,
    LogEntry,
    ReplayMismatch,
    commitment,
    full_box,
    insert_positions,
    pick,
    replay,
)
from storefront.editions.verify import check

seeds = st.binary(min_size=32, max_size=32)
counts_st = st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=4)
client_seeds = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=0, max_size=16)


@st.composite
def editions(draw):
    """A seed, variant counts and a log of draws with the occasional release."""
    seed, counts = draw(seeds), draw(counts_st)
    box, log, held = full_box(counts), [], []
    for _step in range(draw(st.integers(min_value=0, max_value=sum(counts) + 5))):
        sequence = len(log) + 1
        if held and (not box or draw(st.integers(0, 5)) == 0):
            copy = held.pop(draw(st.integers(0, len(held) - 1)))
            box.add(copy)
            log.append(LogEntry(sequence, "release", "", copy))
        elif box:
            client = draw(client_seeds)
            copy = pick(seed, client, sequence, box)
            box.remove(copy)
            held.append(copy)
            log.append(LogEntry(sequence, "draw", client, copy))
    return seed, counts, log


@given(editions())
def test_counts_never_exceeded_numbers_unique_and_replay_equals_the_log(edition):
    seed, counts, log = edition
    box = replay(seed, counts, log)
    held = full_box(counts) - box
    for position, count in enumerate(counts):
        assert sum(1 for c in held if c.variant_position == position) <= count
    assert all(1 <= c.number <= counts[c.variant_position] for c in held)
    drawn = [e.copy for e in log if e.kind == "draw"]
    released = [e.copy for e in log if e.kind == "release"]
    assert Counter(drawn) - Counter(released) == Counter(held), "each copy out at most once"


@given(editions(), st.data())
def test_a_changed_client_seed_is_detected(edition, data):
    seed, counts, log = edition
    draws = [i for i, e in enumerate(log) if e.kind == "draw"]
    if not draws:
        return
    i = data.draw(st.sampled_from(draws))
    entry = log[i]
    forged = LogEntry(entry.sequence, "draw", entry.client_seed + "x", entry.copy)
    box = replay(seed, counts, log[:i])
    if pick(seed, forged.client_seed, entry.sequence, box) == entry.copy:
        return  # the forged seed happens to give the same copy: nothing to detect
    with pytest.raises(ReplayMismatch):
        replay(seed, counts, [*log[:i], forged, *log[i + 1 :]])


@given(editions(), st.data())
def test_a_changed_result_is_detected(edition, data):
    seed, counts, log = edition
    draws = [i for i, e in enumerate(log) if e.kind == "draw"]
    if not draws or sum(counts) < 2:
        return
    i = data.draw(st.sampled_from(draws))
    entry = log[i]
    other = next(c for c in sorted(full_box(counts)) if c != entry.copy)
    with pytest.raises(ReplayMismatch):
        replay(
            seed,
            counts,
            [*log[:i], LogEntry(entry.sequence, "draw", entry.client_seed, other), *log[i + 1 :]],
        )


@given(editions(), seeds)
def test_a_wrong_seed_is_detected(edition, wrong):
    seed, counts, log = edition
    if wrong == seed:
        return
    data = fairness_json(seed, counts, log, revealed=wrong)
    assert check(data), "the commitment no longer matches"


def fairness_json(seed, counts, log, *, revealed=None):
    """What the shop publishes; `revealed` is a seed other than the one committed to."""
    box = replay(seed, counts, log)
    return {
        "edition": {"name": "test"},
        "commitment": commitment(seed),
        "server_seed": (revealed or seed).hex(),
        "variants": [
            {"position": p, "count": c, "left": sum(1 for x in box if x.variant_position == p)}
            for p, c in enumerate(counts)
        ],
        "log": [
            {
                "sequence": e.sequence,
                "kind": e.kind,
                "client_seed": e.client_seed,
                "variant_position": e.copy.variant_position,
                "number": e.copy.number,
            }
            for e in log
        ],
    }


@given(editions())
def test_the_verifier_accepts_an_honest_log(edition):
    assert check(fairness_json(*edition)) == []


def test_the_verifier_waits_for_the_seed():
    assert check({"server_seed": None, "commitment": "x", "variants": [], "log": []})


@settings(max_examples=50)
@given(seeds, st.integers(min_value=1, max_value=400), st.data())
def test_inserts_fall_one_per_block(seed, run, data):
    count = data.draw(st.integers(min_value=0, max_value=run))
    positions = insert_positions(seed, "pool", run, count)
    assert len(set(positions)) == count
    for block, position in enumerate(positions):
        assert block * run // count < position <= (block + 1) * run // count


def test_each_variant_is_drawn_in_proportion_at_every_position():
    """Over many simulated editions (250/40/10), the variant drawn at each position
    matches its share of the box: the order of draws favours nobody."""
    counts, editions_run, positions = [25, 4, 1], 3000, (1, 10, 20, 30)
    hits = {p: Counter() for p in positions}
    for _ in range(editions_run):
        seed, box = secrets.token_bytes(32), full_box(counts)
        for sequence in range(1, sum(counts) + 1):
            copy = pick(seed, secrets.token_hex(4), sequence, box)
            box.remove(copy)
            if sequence in hits:
                hits[sequence][copy.variant_position] += 1
    for position in positions:
        for variant, count in enumerate(counts):
            share = hits[position][variant] / editions_run
            expected = count / sum(counts)
            tolerance = 4 * (expected * (1 - expected) / editions_run) ** 0.5  # about 4 sigma
            assert abs(share - expected) < tolerance, (position, variant, share, expected)


def test_copy_refs_order_by_variant_then_number():
    assert sorted([CopyRef(1, 1), CopyRef(0, 2), CopyRef(0, 1)]) == [
        CopyRef(0, 1),
        CopyRef(0, 2),
        CopyRef(1, 1),
    ]
