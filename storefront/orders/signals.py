"""What `orders` announces; other domains subscribe so checkout never imports them.

Receivers run inside the service's transaction: they get `session`, `order` and `now`.
"""

from blinker import Namespace

_signals = Namespace()

order_paid = _signals.signal("order-paid")
order_released = _signals.signal("order-released")  # expired or canceled: stock given back
order_refunded = _signals.signal("order-refunded")
