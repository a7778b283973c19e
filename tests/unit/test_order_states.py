from storefront.orders.states import TRANSITIONS, OrderStatus, can_transition


def test_happy_path():
    assert can_transition("pending", "paid")
    assert can_transition("paid", "shipped")


def test_refunded_is_final():
    assert all(not can_transition("refunded", target) for target in OrderStatus)


def test_unpaid_order_cannot_ship_or_refund():
    assert not can_transition("pending", "shipped")
    assert not can_transition("pending", "refunded")


def test_late_payment_of_an_expired_order_is_honoured_or_refunded():
    assert TRANSITIONS[OrderStatus.EXPIRED] == {OrderStatus.PAID, OrderStatus.REFUNDED}
