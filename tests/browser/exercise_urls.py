"""The site's URLs plus one page holding an exercise card for a made-up exercise.

The card's own behaviour (the editor, hints, solution, reset, kept code, the no-JavaScript fallback,
axe, the CSP) needs no Python runtime and no registered exercise; the real lessons' exercises are
tested with the runtime in test_exercises.py.
"""

import copy
from types import SimpleNamespace

from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import path
from django.utils.safestring import mark_safe

from config.urls import urlpatterns as site_urlpatterns
from lab import exercises
from lessons.exercise_card import render_exercise_card

EXERCISE = SimpleNamespace(
    slug="test.count-books",
    title="Count the books",
    prompt="Write `count_books()`: it returns how many books the shop has, in **one** query.",
    starter="from sandbox.models import Book\n\n\ndef count_books():\n    return 0\n",
    solution="from sandbox.models import Book\n\n\ndef count_books():\n    return Book.objects.count()\n",
    hints=["`Book.objects` is where a query starts.", "`.count()` asks the database, with `COUNT(*)`."],
    versions=("5.2", "6.1"),
)
PAGE = Template(
    '{% extends "base.html" %}{% block content %}<h1>An exercise card</h1><h2>Try it</h2><div class="prose">{{ card }}</div>{% endblock %}'
)


def exercise_page(request):
    """?slug=<a registered exercise>: that exercise offering Django 5.2 and 6.1 (the worker runs it)."""
    exercise = EXERCISE
    if request.GET.get("slug"):
        exercise = copy.copy(exercises.get(request.GET["slug"]))
        exercise.versions = ("5.2", "6.1")
    card = render_exercise_card(exercise, "test/exercise")
    if request.GET.get("runtime") == "none":  # a site without the runtime's file: the card must say so
        card = card.replace('data-runtime-src="', 'data-runtime-src="" data-was="')
    return HttpResponse(PAGE.render(RequestContext(request, {"card": mark_safe(card)})))  # noqa: S308


urlpatterns = [path("exercise-card-test/", exercise_page), *site_urlpatterns]
