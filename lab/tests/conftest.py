from functools import partial

import pytest
from django import forms

from lab.testing import temporary_demo
from sandbox.models import Book


class CountForm(forms.Form):
    times = forms.IntegerField(min_value=1, max_value=5, initial=2)


def restock():
    return Book.objects.filter(title="A1").update(stock=99)


def read_stock(times):
    for _ in range(times):
        stock = Book.objects.get(title="A1").stock
    return stock


@pytest.fixture
def probe_demo():
    """A throwaway demo that writes, reads and caches, registered only for one test."""

    def probe(lab, data):
        write = lab.step("Write", restock)
        write.fact("updated", write.result)
        read = lab.step("Read", partial(read_stock, data["times"]))
        read.fact("stock", read.result)

    with temporary_demo("core.probe", probe, title="Probe", form=CountForm) as demo:
        yield demo
