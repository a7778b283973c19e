"""What `orders` announces; other domains subscribe so checkout never imports them.

Receivers run inside the service's transaction: they get `session`, `order` and `now`.
"""

from blinker import Namespace

_signals = Namespace()

# Sent before a checkout reserves anything, with `lines` (priced cart lines), `email`
# and `now`; a receiver refuses the checkout by raising a StorefrontError.
order_opening = _signals.signal("order-opening")
# Sent inside the checkout's transaction once the order is written and its stock taken
# (and again when a late payment takes stock back), with `order` and `now`, while the
# fan's other checkouts wait (`hold_for_fan`): per-fan caps are counted here, so
# simultaneous checkouts of one fan cannot both pass. Raising refuses and rolls back.
order_reserving = _signals.signal("order-reserving")
order_paid = _signals.signal("order-paid")
order_released = _signals.signal("order-released")  # expired or canceled: stock given back
order_refunded = _signals.signal("order-refunded")
