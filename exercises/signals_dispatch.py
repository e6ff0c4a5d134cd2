"""Signals exercises for the dispatcher (S1) and custom signals (S6): send_robust(), a signal of your own.

Two exercises in one module, a little over 300 lines: most of it is the learner's code
(starter, solution, mistakes) as strings.
"""

from functools import partial

from django.dispatch import Signal

from lab.exercises import Fail, exercise
from sandbox.models import Book, Order

# -- S1: every receiver runs, even when one raises --------------------------------------------------

robust = exercise(
    "signals.announce-robustly",
    title="Every listener hears about it, even when one breaks",
    lesson="signals/01-dispatcher",
    prompt=(
        "`order_shipped` is sent when an order ships, and several apps listen: emails, analytics, a "
        "warehouse feed. Write `announce(order)`: it sends `order_shipped` with the `Order` **class** as "
        "the sender and the keyword argument `order`, makes sure **every** receiver runs even when one of "
        "them raises, and returns the list of exceptions the receivers raised (`[]` when all went well)."
    ),
    starter="""from django.dispatch import Signal

from sandbox.models import Order

order_shipped = Signal()


def announce(order):
    order_shipped.send(sender=Order, order=order)
    return []
""",
    solution="""from django.dispatch import Signal

from sandbox.models import Order

order_shipped = Signal()


def announce(order):
    responses = order_shipped.send_robust(sender=Order, order=order)
    return [response for receiver, response in responses if isinstance(response, Exception)]
""",
    hints=(
        "Press Run: the second receiver never runs, because `send()` lets the first one's exception out.",
        "`send_robust()` catches each receiver's `Exception` and puts it in the result instead.",
        "Both return `[(receiver, response), ...]`; keep the responses that are exceptions.",
    ),
    mistakes={
        """from django.dispatch import Signal

from sandbox.models import Order

order_shipped = Signal()


def announce(order):
    responses = order_shipped.send_robust(sender=order, order=order)
    return [response for receiver, response in responses if isinstance(response, Exception)]
""": "send the class, Order, as the sender",
        """from django.dispatch import Signal

from sandbox.models import Order

order_shipped = Signal()


def announce(order):
    return [response for receiver, response in order_shipped.send_robust(sender=Order, order=order)]
""": "expected only the exception",
    },
)


class FeedDown(Exception):
    pass


def listen(signal, *receivers):
    """Connect test receivers to the learner's own signal; returns a function that disconnects them."""
    for number, func in enumerate(receivers):
        signal.connect(func, weak=False, dispatch_uid=f"exercise.listener.{number}")

    def disconnect():
        for number in range(len(receivers)):
            signal.disconnect(dispatch_uid=f"exercise.listener.{number}")

    return disconnect


def an_order():
    return Order.objects.filter(learner="").order_by("pk").first()


def broken_feed(sender, **kwargs):
    raise FeedDown("the warehouse feed is down")


def announce_with(attempt, *receivers):
    disconnect = listen(attempt.learner.order_shipped, *receivers)
    try:
        return attempt.learner.announce(an_order())
    finally:
        disconnect()


@robust.check("Every receiver runs when the first one raises")
def every_receiver_runs(attempt):
    ran = []
    try:
        announce_with(attempt, broken_feed, lambda sender, **kwargs: ran.append("email"))
    except FeedDown:
        raise Fail(
            "announce() raised FeedDown('the warehouse feed is down'): send() stops at the first receiver that "
            "raises, and the email receiver never ran. send_robust() catches it and goes on."
        ) from None
    if ran != ["email"]:
        raise Fail(f"The second receiver ran {len(ran)} times, expected once.")


@robust.check("Returns the exceptions the receivers raised")
def returns_the_exceptions(attempt):
    got = announce_with(attempt, broken_feed, lambda sender, **kwargs: "sent")
    if not (isinstance(got, list) and len(got) == 1 and isinstance(got[0], FeedDown)):
        raise Fail(
            f"announce() returned {got!r}; expected only the exception the failing receiver raised "
            "([FeedDown(...)]), not the other receivers' answers."
        )
    if announce_with(attempt, lambda sender, **kwargs: "sent") != []:
        raise Fail("When every receiver succeeds, announce() should return [].")


@robust.check("Sends sender=Order and order=")
def sends_sender_and_order(attempt):
    seen = []
    announce_with(attempt, lambda sender, **kwargs: seen.append((sender, kwargs.get("order"))))
    (sender, order), *_ = seen or [(None, None)]
    if sender is not Order:
        raise Fail(f"The receivers got sender={sender!r}: send the class, Order, as the sender.")
    if order != an_order():
        raise Fail(f"The receivers got order={order!r}: pass the order as the keyword argument order=.")


def email(sender, order, **kwargs):
    return f"emailed about order {order.pk}"


@robust.run
def show_robust(lab, attempt):
    disconnect = listen(attempt.learner.order_shipped, broken_feed, email)
    try:
        step = lab.step("announce(order)", partial(attempt.learner.announce, an_order()), expect=FeedDown)
    finally:
        disconnect()
    if step.error:
        lab.headline(f"announce() raised {step.error_type}: the email receiver never ran")
    else:
        lab.headline(f"announce() returned {step.result!r}; every receiver ran")


# -- S6: a signal of your own --------------------------------------------------------------------

custom = exercise(
    "signals.book-restocked",
    title="A signal of your own: book_restocked",
    lesson="signals/06-custom-and-async",
    prompt=(
        "Declare a signal `book_restocked` and send it from `restock(book, qty)` once the stock is "
        "written: the `Book` **class** as the sender, keyword arguments `book` and `qty`. Then connect a "
        "receiver `remember_restock` with `@receiver` that appends `(book.title, qty)` to the list "
        "`RESTOCKS`. Receivers must accept `**kwargs`: a signal's arguments can grow."
    ),
    starter="""from django.db.models import F
from django.dispatch import Signal, receiver

from sandbox.models import Book

RESTOCKS = []


def restock(book, qty):
    Book.objects.filter(pk=book.pk).update(stock=F("stock") + qty)
""",
    solution="""from django.db.models import F
from django.dispatch import Signal, receiver

from sandbox.models import Book

RESTOCKS = []

#: Sent after a book's stock went up. sender: Book. Keyword arguments: book, qty.
book_restocked = Signal()


def restock(book, qty):
    Book.objects.filter(pk=book.pk).update(stock=F("stock") + qty)
    book_restocked.send(sender=Book, book=book, qty=qty)


@receiver(book_restocked, sender=Book)
def remember_restock(sender, book, qty, **kwargs):
    RESTOCKS.append((book.title, qty))
""",
    hints=(
        "At module level: `book_restocked = Signal()`.",
        "Send it after the UPDATE: `book_restocked.send(sender=Book, book=book, qty=qty)`.",
        "`@receiver(book_restocked, sender=Book)` on `def remember_restock(sender, book, qty, **kwargs)`.",
    ),
    mistakes={
        """from django.db.models import F
from django.dispatch import Signal, receiver

from sandbox.models import Book

RESTOCKS = []
book_restocked = Signal()


def restock(book, qty):
    Book.objects.filter(pk=book.pk).update(stock=F("stock") + qty)
    book_restocked.send(sender=book, book=book, qty=qty)


@receiver(book_restocked)
def remember_restock(sender, book, qty, **kwargs):
    RESTOCKS.append((book.title, qty))
""": "the sender is the Book class",
        """from django.db.models import F
from django.dispatch import Signal, receiver

from sandbox.models import Book

RESTOCKS = []
book_restocked = Signal()


def restock(book, qty):
    Book.objects.filter(pk=book.pk).update(stock=F("stock") + qty)
    book_restocked.send(sender=Book, book=book, qty=qty)


@receiver(book_restocked, sender=Book)
def remember_restock(sender, book, qty, **kwargs):
    RESTOCKS.append((book, qty))
""": "RESTOCKS should hold (title, qty)",
    },
)


def the_signal(attempt):
    signal = getattr(attempt.learner, "book_restocked", None)
    if not isinstance(signal, Signal):
        raise Fail("There is no book_restocked signal: declare book_restocked = Signal() at module level.")
    return signal


def a1():
    return Book.objects.get(title="A1", learner="")


@custom.check("restock() adds to the stock")
def adds_stock(attempt):
    book = a1()
    attempt.learner.restock(book, 3)
    after = Book.objects.get(pk=book.pk).stock
    if after != book.stock + 3:
        raise Fail(f"A1's stock went from {book.stock} to {after} after restock(book, 3).")


@custom.check("restock() sends book_restocked once, with sender=Book, book= and qty=")
def sends_it(attempt):
    signal, seen = the_signal(attempt), []
    signal.connect(lambda sender, **kwargs: seen.append((sender, kwargs)), weak=False, dispatch_uid="exercise.seen")
    try:
        attempt.learner.restock(a1(), 3)
    finally:
        signal.disconnect(dispatch_uid="exercise.seen")
    if len(seen) != 1:
        raise Fail(f"restock() sent book_restocked {len(seen)} times, expected once.")
    sender, kwargs = seen[0]
    if sender is not Book:
        raise Fail(f"It was sent with sender={sender!r}: the sender is the Book class, not an instance.")
    if kwargs.get("qty") != 3 or getattr(kwargs.get("book"), "pk", None) != a1().pk:
        raise Fail(f"It was sent with {sorted(kwargs)}: pass book=book and qty=qty.")


@custom.check("remember_restock records (title, qty)")
def remembers(attempt):
    the_signal(attempt)
    restocks = getattr(attempt.learner, "RESTOCKS", None)
    if restocks is None:
        raise Fail("Keep the list RESTOCKS = [] at module level.")
    restocks.clear()
    attempt.learner.restock(a1(), 2)
    if restocks != [("A1", 2)]:
        raise Fail(f"After restock(A1, 2), RESTOCKS holds {restocks!r}: RESTOCKS should hold (title, qty) pairs.")


@custom.check("The receiver accepts arguments the signal may add later")
def accepts_kwargs(attempt):
    try:
        the_signal(attempt).send(sender=Book, book=a1(), qty=1, source="supplier")
    except TypeError as exc:
        raise Fail(
            f"Sending one more argument (source=...) broke your receiver: {exc}. Receivers must accept **kwargs."
        ) from None


@custom.run
def show_custom(lab, attempt):
    book = a1()
    step = lab.step("restock(A1, 5)", partial(attempt.learner.restock, book, 5))
    restocks = getattr(attempt.learner, "RESTOCKS", [])
    step.fact("restocks", list(restocks), "RESTOCKS")
    lab.headline(f"A1's stock: {book.stock} → {Book.objects.get(pk=book.pk).stock}; RESTOCKS = {list(restocks)!r}")
