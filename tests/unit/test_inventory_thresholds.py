"""The restock threshold, the running balance of a stock page and a distributor's net
price: pure rules."""

from hypothesis import given
from hypothesis import strategies as st

from storefront.channels.services import net_price
from storefront.inventory.thresholds import is_under, running_balance, threshold


def test_the_default_threshold_is_a_quarter_of_the_last_run_rounded_down():
    assert threshold(None, 100) == 25
    assert threshold(None, 30) == 7
    assert threshold(None, 3) == 0  # a tiny run never alerts: nothing is under 0
    assert threshold(None, None) is None


def test_the_label_s_own_threshold_wins_even_zero():
    assert threshold(40, 100) == 40
    assert threshold(0, 100) == 0


def test_under_means_strictly_fewer():
    assert is_under(24, 25) and not is_under(25, 25)
    assert not is_under(0, None)


def test_the_running_balance_ends_at_the_stock():
    assert running_balance(7, [10, -2, -1]) == (0, [10, 8, 7])
    assert running_balance(12, []) == (12, [])


@given(st.integers(0, 10_000), st.lists(st.integers(-50, 50), max_size=40))
def test_any_running_balance_starts_at_the_opening_figure_and_ends_at_the_stock(current, deltas):
    opening, balances = running_balance(current, deltas)
    assert opening + sum(deltas) == current
    assert balances[-1:] == ([current] if deltas else [])


def test_the_net_price_takes_the_commission_off_to_the_nearest_cent():
    assert net_price(2400, 30) == 1680
    assert net_price(999, 33) == 669  # 669.33
    assert net_price(1001, 50) == 501  # 500.5 rounds up
    assert net_price(2400, 0) == 2400 and net_price(2400, 100) == 0
