import pytest
from django import forms

from lab import registry
from sandbox.models import Book


class CountForm(forms.Form):
    times = forms.IntegerField(min_value=1, max_value=5, initial=2)


@pytest.fixture
def probe_demo():
    """A throwaway demo that writes, reads and caches, registered only for one test."""

    def probe(lab, data):
        with lab.step("write", code="Book.objects.filter(title='A1').update(stock=99)") as step:
            step.fact("updated", Book.objects.filter(title="A1").update(stock=99))
        with lab.step("read") as step:
            for _ in range(data["times"]):
                step.fact("stock", Book.objects.get(title="A1").stock)

    registry.demo("core.probe", title="Probe", form=CountForm)(probe)
    yield registry.get("core.probe")
    registry._registry.pop("core.probe", None)
