"""ORM lesson 9 (new in Django 5): a generated column that is current after save(), and create_defaults."""

from decimal import Decimal

import django

from lab.exercises import Fail, exercise

SAVE_READS_GENERATED = django.VERSION >= (6, 0)  # Django 6.0: save() reads generated fields back (RETURNING)

generated = exercise(
    "orm.generated-total",
    title="A generated total that is current after save()",
    lesson="orm/09-new-in-django-5",
    prompt=(
        "`CartLine.total` is a `GeneratedField`: the database computes `price * qty`. `change_qty(line, qty)` must "
        "store the new quantity and return the line with a `total` that is **current**, the value the database "
        "now holds."
    ),
    starter="""def change_qty(line, qty):
    line.qty = qty
    return line
""",
    solution="""def change_qty(line, qty):
    line.qty = qty
    line.save(update_fields=["qty"])
    line.refresh_from_db(fields=["total"])
    return line
""",
    hints=(
        "First, the new quantity has to reach the database: save().",
        "The database recomputes total on that UPDATE; on Django 5.2 the instance doesn't read it back.",
        'Read it with `line.refresh_from_db(fields=["total"])` after saving.',
    ),
    # On Django 6.0+ save() reads generated fields back, so forgetting the refresh is no mistake there.
    mistakes={}
    if SAVE_READS_GENERATED
    else {
        """def change_qty(line, qty):
    line.qty = qty
    line.save()
    return line
""": "save() does not read it back",
    },
    versions=("5.2", "6.1"),
)


def _line():
    from sandbox.models import CartLine

    return CartLine.objects.create(title="B1", price=Decimal("10.00"), qty=3)


@generated.check("The new quantity is saved")
def saved(attempt):
    from sandbox.models import CartLine

    line = _line()
    attempt.learner.change_qty(line, 4)
    stored = CartLine.objects.get(pk=line.pk).qty
    if stored != 4:
        raise Fail(f"The database still has qty {stored}: save the line after changing it.")


@generated.check("The returned line's total is the database's")
def current_total(attempt):
    from sandbox.models import CartLine

    line = attempt.learner.change_qty(_line(), 4)
    stored = CartLine.objects.get(pk=line.pk).total
    if line.total != stored:
        raise Fail(
            f"line.total is {line.total}, the database has {stored}: a GeneratedField is computed by the database, "
            f"and on Django {django.get_version()} save() does not read it back. "
            'Call line.refresh_from_db(fields=["total"]) after save().'
        )


@generated.run
def show_generated(lab, attempt):
    from functools import partial

    step = lab.step("change_qty(line, 4) (price 10.00, qty was 3)", partial(attempt.learner.change_qty, _line(), 4))
    lab.headline(f"line.total is {step.result.total} after change_qty()")


defaults = exercise(
    "orm.create-defaults",
    title="Update the price, or create the line with two copies",
    lesson="orm/09-new-in-django-5",
    prompt=(
        "`record_price(title, price)` sets the price of the `CartLine` with that title. If there is none, it "
        "creates one with that price and `qty=2`. An existing line's `qty` must not change. One call of "
        "`update_or_create()` can do both: give it what an update writes and, separately, what a new row starts with."
    ),
    starter="""from sandbox.models import CartLine


def record_price(title, price):
    return CartLine.objects.create(title=title, price=price, qty=2)
""",
    solution="""from sandbox.models import CartLine


def record_price(title, price):
    line, _ = CartLine.objects.update_or_create(
        title=title, defaults={"price": price}, create_defaults={"price": price, "qty": 2}
    )
    return line
""",
    hints=(
        "`update_or_create(title=..., defaults=...)` finds the line by title and updates it, or creates it.",
        "`defaults` is written on an update **and** used to create. Since Django 5.0 `create_defaults` is used "
        "only to create.",
        '`defaults={"price": price}, create_defaults={"price": price, "qty": 2}`',
    ),
    mistakes={
        """from sandbox.models import CartLine


def record_price(title, price):
    line, _ = CartLine.objects.update_or_create(title=title, defaults={"price": price, "qty": 2})
    return line
""": "qty went back to 2",
    },
)


@defaults.check("A new line starts with the price and qty 2")
def creates(attempt):
    from sandbox.models import CartLine

    attempt.learner.record_price("C1", Decimal("3.00"))
    rows = list(CartLine.objects.filter(title="C1").values_list("price", "qty"))
    if rows != [(Decimal("3.00"), 2)]:
        raise Fail(f"Expected one C1 line with price 3.00 and qty 2, found {[(str(p), q) for p, q in rows]}.")


@defaults.check("An existing line gets the new price and keeps its qty")
def updates(attempt):
    from sandbox.models import CartLine

    CartLine.objects.create(title="C1", price=Decimal("3.00"), qty=5)
    attempt.learner.record_price("C1", Decimal("2.00"))
    rows = list(CartLine.objects.filter(title="C1").values_list("price", "qty"))
    if len(rows) != 1:
        raise Fail(f"There are {len(rows)} C1 lines: update the existing one (update_or_create) instead of adding one.")
    price, qty = rows[0]
    if qty != 5:
        raise Fail(
            f"qty went back to {qty} (it was 5): defaults is written on an update too. Put qty only in create_defaults."
        )
    if price != Decimal("2.00"):
        raise Fail(f"The price is {price}, expected 2.00.")


@defaults.run
def show_defaults(lab, attempt):
    from functools import partial

    first = lab.step(
        "record_price('C1', 3.00)", partial(attempt.learner.record_price, "C1", Decimal("3.00")), key="first"
    )
    second = lab.step(
        "record_price('C1', 2.00)", partial(attempt.learner.record_price, "C1", Decimal("2.00")), key="second"
    )
    lab.headline(f"First call: {first.result}; second call: {second.result}")
