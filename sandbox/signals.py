"""The bookshop's own signals: documented hooks other code can listen to.

`order_placed` is sent by `sandbox.shop.place_order` once an order and its
items are written. Receivers get the keyword arguments listed below, plus the
`signal` and `sender` Django always passes, so they must accept `**kwargs`.
"""

from django.dispatch import Signal

#: Sent after an order and its items are saved. sender: the Order class.
#: Keyword arguments: ``order`` (the Order), ``items`` (a list of OrderItem).
order_placed = Signal()
