"""When a product needs restocking: pure rules, free of Flask and the database."""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_SHARE_PERCENT = 25  # the label restocks on a clear signal: under a quarter of a run


def threshold(own: int | None, last_run: int | None) -> int | None:
    """The units under which a product needs restocking: the label's own figure, else a
    quarter of its last run (rounded down); None when neither is known."""
    if own is not None:
        return own
    if last_run is None:
        return None
    return last_run * DEFAULT_SHARE_PERCENT // 100


def is_under(units_left: int, limit: int | None) -> bool:
    """The stock has fallen under the threshold (never for a product without one)."""
    return limit is not None and units_left < limit


def running_balance(current: int, deltas: Iterable[int]) -> tuple[int, list[int]]:
    """The opening figure and the balance after each move, oldest first, so that the last
    balance is `current`: what a stock page lists line by line."""
    deltas = list(deltas)
    balance = current - sum(deltas)
    opening, balances = balance, []
    for delta in deltas:
        balance += delta
        balances.append(balance)
    return opening, balances
