"""Running demos: POST only, CSRF protected, limited (lab.limits), never a 500 for bad input."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import learners, limits, predict, registry, since, sweeper
from .cards import render_report
from .runner import run_demo


@require_POST
def run(request: HttpRequest, slug: str) -> HttpResponse:
    demo = registry.get(slug)
    if demo is None:
        raise Http404("No such demo.")
    now = time.time()
    new = not learners.has_learner(request)  # no session yet: this run mints a learner id
    learner = learners.learner_id(request)
    address = limits.client_address(request)
    allowed, degraded = limits.allow_run(learner, now)
    if allowed and new:
        allowed, new_degraded = limits.allow_new_learner(address, now)
        degraded |= new_degraded
    if not allowed:
        message = "You are running demos faster than the lab allows. Wait a minute, then press Run again."
        return _refuse(request, demo, limits.Refusal(429, message, limits.seconds_to_next_minute(now)))
    allowed, budget_degraded = limits.within_run_budget(address, now)
    degraded |= budget_degraded
    if not allowed:
        message = "Demos from your network have used this minute's run time. Wait a minute, then press Run again."
        return _refuse(request, demo, limits.Refusal(429, message, limits.seconds_to_next_minute(now)))
    form = demo.form(request.POST)
    if not form.is_valid():
        return _respond(
            request,
            demo,
            render_report(
                demo,
                request=request,
                form=form,
                message="Some inputs need fixing before the demo can run.",
                status=400,
            ),
            status=400,
        )
    options = {"disabled_receivers": request.POST.getlist("disabled_receivers")}
    with limits.admit(learner, address, demo.time_limit or settings.LAB_RUN_TIME_LIMIT) as admission:
        if admission.refusal:
            return _refuse(request, demo, admission.refusal)
        sweeper.maybe_sweep()  # crashed runs' leftovers, at most once per LAB_SWEEP_INTERVAL on this machine
        started = time.perf_counter()
        try:
            recorder = run_demo(demo, form.cleaned_data, learner=learner, options=options)
        finally:
            limits.charge_run_time(address, now, time.perf_counter() - started)
    message = limits.SHARED_OFF if degraded or admission.degraded else ""
    snap = since.snapshot(recorder, form.cleaned_data)
    changes = since.compare(since.recall_and_remember(learner, demo.slug, snap), snap)
    report = render_report(demo, recorder, request=request, form=form, message=message, since=changes)
    # Predictions made on the card, graded from this run's recorder.
    report = predict.render_results(demo, predict.grade(demo, recorder, predict.answers(demo, request.POST))) + report
    return _respond(request, demo, report)


def _refuse(request: HttpRequest, demo: registry.Demo, refusal: limits.Refusal) -> HttpResponse:
    """A run that may not start now: 429 or 503, with Retry-After, in the card like any report."""
    report = render_report(demo, message=refusal.message, status=refusal.status)
    response = _respond(request, demo, report, status=refusal.status)
    response["Retry-After"] = str(refusal.retry_after)
    return response


def _respond(request: HttpRequest, demo: registry.Demo, report_html: str, status: int = 200) -> HttpResponse:
    if request.htmx:
        return HttpResponse(report_html, status=status)
    # Without JavaScript: the page the demo was run from, with this card's report filled in (LAB_REPORT_PAGE).
    page = import_string(settings.LAB_REPORT_PAGE)
    return page(request, request.POST.get("lesson", ""), demo, report_html, status=status)


@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest) -> HttpResponse:
    """'Reset my sandbox': delete the learner's committed rows and start a fresh cache prefix.

    It asks first: a GET, or a POST without `confirm=yes`, only shows the question (a page without
    JavaScript, a small form in the header's status area with htmx); the POST that confirms resets.
    """
    from .reset import reset_learner

    back = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        template = "lab/reset_ask.html" if request.htmx else "lab/reset_confirm.html"
        return render(request, template, {"next": back})
    learner = request.session.get(learners.SESSION_KEY)
    removed = reset_learner(learner) if learner else 0
    request.session.pop(learners.SESSION_KEY, None)
    if request.htmx:
        return HttpResponse(
            f'<p class="reset-done" role="status">Your sandbox is reset: {removed} row{pluralize(removed)} removed, '
            "and your cache keys start afresh.</p>"
        )
    return redirect(back)


@require_GET
def demo_index(request: HttpRequest) -> HttpResponse:
    return render(request, "lab/index.html", {"demos": registry.all_demos()})
