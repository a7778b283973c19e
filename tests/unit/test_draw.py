"""The pure draw: bounded, unique, replayable, tamper-evident, and fair over many editions;
and the verifier in the same file, standard library only."""

import ast
import secrets
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.editions import draw, verify
from storefront.editions.draw import (
    CopyRef,
    LogEntry,
    ReplayMismatch,
    check,
    commitment,
    copy_insert_places,
    full_box,
    insert_positions,
    pick,
    positions_reached,
    replay,
)

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


# ---- insert pools ----


@settings(max_examples=50)
@given(seeds, st.integers(min_value=1, max_value=60), st.data())
def test_positions_reached_are_the_positions_up_to_that_place(seed, run, data):
    count = data.draw(st.integers(min_value=0, max_value=run))
    reached = data.draw(st.integers(min_value=0, max_value=run + 5))
    positions = insert_positions(seed, "pool", run, count)
    assert positions_reached(seed, "pool", run, count, reached) == [
        p for p in positions if p <= reached
    ]
    assert positions_reached(seed, "pool", run, count, run) == positions, "a full run: all"


SEED = bytes(range(32))


def edition_with_a_pool(**pool) -> dict:
    """A fairness JSON of 3 copies all drawn, with a pool of 2 inserts over the run."""
    box, log = full_box([3]), []
    for sequence in (1, 2, 3):
        copy = pick(SEED, f"fan{sequence}", sequence, box)
        box.remove(copy)
        log.append(LogEntry(sequence, "draw", f"fan{sequence}", copy))
    data = fairness_json(SEED, [3], log)
    data["edition"]["size"] = 3
    awarded = insert_positions(SEED, "7", 3, 2)
    data["insert_pools"] = [{"name": "notebook", "count": 2, "key": "7", "awarded": awarded}]
    data["insert_pools"][0].update(pool)
    return data


def test_the_verifier_replays_an_editions_insert_pools():
    assert check(edition_with_a_pool()) == []
    honest = insert_positions(SEED, "7", 3, 2)
    moved = [honest[0], 5 - honest[1]]  # the second block is places 2 and 3
    assert check(edition_with_a_pool(awarded=moved)) == [
        f"insert pool 'notebook': the seed gives places {honest}, the shop awarded {moved}"
    ]
    assert check(edition_with_a_pool(key="8")), "positions drawn with another key"
    assert check(edition_with_a_pool(count=4)) == [
        "insert pool 'notebook': a pool cannot hold more inserts than the run has places"
    ]


def test_a_log_that_does_not_replay_is_the_one_problem_told_not_its_inserts():
    data = edition_with_a_pool()
    first, second = data["log"][0], data["log"][1]
    # Draw 1 claims draw 2's copy: the inserts computed on such a log would be off too.
    first["variant_position"], first["number"] = second["variant_position"], second["number"]
    [problem] = check(data)
    assert problem.startswith("draw 1 gives")


def campaign_with_a_pool(**pool) -> dict:
    positions = insert_positions(SEED, "3", 10, 2)
    return {
        "release": "grains-de-sable",
        "insert_pools": [
            {
                "name": "notebook",
                "count": 2,
                "run": 10,
                "key": "3",
                "commitment": commitment(SEED),
                "server_seed": SEED.hex(),
                "orders_ranked": 10,
                "awarded": positions,
            }
            | pool
        ],
    }


def test_the_verifier_replays_a_campaigns_insert_pools():
    assert check(campaign_with_a_pool()) == []
    first = insert_positions(SEED, "3", 10, 2)[0]
    assert check(campaign_with_a_pool(orders_ranked=first, awarded=[first])) == []
    assert check(campaign_with_a_pool(awarded=[])), "inserts owed to ranked orders"
    assert check(campaign_with_a_pool(commitment="0" * 64)) == [
        "insert pool 'notebook': sha256(server_seed) is not the published commitment"
    ]
    assert check(campaign_with_a_pool(server_seed=None, awarded=None)) == [
        "insert pool 'notebook': its seed is not revealed yet: it is published once its run "
        "is full or the campaign closes"
    ]


# ---- the verifier as a file of its own ----


@pytest.mark.parametrize(
    "data",
    [
        [],
        "log",
        {"edition": {}, "log": [{"sequence": 1}], "server_seed": "00", "commitment": "x"},
        {"log": [], "server_seed": "not hex"},
        {"release": "x", "insert_pools": [{"name": "n", "server_seed": "00"}]},
    ],
)
def test_a_malformed_json_is_a_finding_not_a_crash(data):
    problems = check(data)
    assert problems and all(isinstance(problem, str) for problem in problems)


def test_a_draw_from_an_empty_box_is_a_mismatch():
    log = [LogEntry(1, "draw", "a", CopyRef(0, 1)), LogEntry(2, "draw", "b", CopyRef(0, 1))]
    with pytest.raises(ReplayMismatch, match="draw 2 from an empty box"):
        replay(SEED, [1], log)


def test_the_verify_module_is_only_a_name_for_the_draw_module():
    assert (verify.check, verify.main) == (draw.check, draw.main)


def test_the_draw_module_imports_only_the_standard_library():
    tree = ast.parse(Path(draw.__file__).read_text(encoding="utf-8"))
    modules = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {(module or "").split(".")[0] for module in modules} <= sys.stdlib_module_names


def test_importing_the_draw_loads_no_flask():
    code = "import storefront.editions.draw, sys; assert 'flask' not in sys.modules"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_copy_drawn_again_keeps_its_one_insert():
    box = [CopyRef(0, 1), CopyRef(0, 2)]
    # Run of 2, 2 inserts: both places are positions; copy 1 is drawn, put back, drawn again.
    assert copy_insert_places(SEED, "7", 2, 2, [box[0], box[0], box[1]]) == [1]
    assert copy_insert_places(SEED, "7", 2, 2, [box[0], box[1]]) == [1, 2]


@settings(max_examples=50)
@given(seeds, st.integers(min_value=1, max_value=30), st.data())
def test_without_redraws_the_places_are_the_positions_reached(seed, run, data):
    count = data.draw(st.integers(min_value=0, max_value=run))
    drawn = [CopyRef(0, n) for n in range(1, data.draw(st.integers(0, run)) + 1)]
    assert copy_insert_places(seed, "k", run, count, drawn) == positions_reached(
        seed, "k", run, count, len(drawn)
    )
