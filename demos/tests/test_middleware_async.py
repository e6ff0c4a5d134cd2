"""M6: an async view through Django's async handler, behind a hybrid middleware."""

HYBRID = "sandbox.example_middleware.hybrid_middleware"


def test_hybrid_alone_runs_async_with_no_adaptation(run_demo):
    step = run_demo("middleware.async").get("Hybrid alone")
    assert step.facts["Hybrid ran in"] == "async"
    assert step.facts["Adaptations the lab's handler made"] == "none"
    assert step.facts["The view says"].startswith("async view ran in an event loop")


def test_a_sync_only_middleware_below_switches_the_hybrid_to_sync(run_demo):
    step = run_demo("middleware.async").get("Hybrid, then a sync-only middleware")
    assert step.facts["Hybrid ran in"] == "sync"
    assert (
        "sync_only: sync; the async layer below is adapted with async_to_sync"
        in step.facts["Adaptations the lab's handler made"]
    )


def test_middleware_mixin_follows_the_async_stack_without_adaptation(run_demo):
    step = run_demo("middleware.async").get("Hybrid, then a MiddlewareMixin class")
    assert step.facts["Hybrid ran in"] == "async"
    assert step.response_headers["X-Mixin"] == "async"
    assert step.facts["Adaptations the lab's handler made"] == "none"


def test_django_logs_the_adaptation_only_with_debug_on(run_demo, settings):
    quiet = run_demo("middleware.async").get("Hybrid, then a sync-only middleware")
    assert "not logged" in quiet.facts["Django's django.request DEBUG log"]
    settings.DEBUG = True
    loud = run_demo("middleware.async").get("Hybrid, then a sync-only middleware")
    assert (
        loud.facts["Django's django.request DEBUG log"]
        == "Asynchronous handler adapted for middleware sandbox.example_middleware.sync_only."
    )


def test_the_async_request_carries_one_host_header(run_demo):
    from lab.handler import lab_host

    step = run_demo("middleware.async").get("Hybrid alone")
    assert step.request_headers["Host"] == lab_host()


def test_the_hybrid_leaves_the_event_loop_thread_only_when_it_runs_sync(run_demo):
    lab = run_demo("middleware.async")

    def hybrid_thread(label):
        (note,) = [e.note for e in lab.get(label).trace if e.layer == "hybrid_middleware" and e.phase == "in"]
        return note

    alone = hybrid_thread("Hybrid alone")
    below_sync = hybrid_thread("Hybrid, then a sync-only middleware")
    assert alone.startswith("async · thread ")
    assert below_sync.startswith("sync · thread ")
    view_thread = lab.get("Hybrid alone").facts["The view says"].rsplit(" ", 1)[-1]
    assert alone == f"async · thread {view_thread}"  # the hybrid runs on the event loop's thread
    assert (
        below_sync.split("thread ", 1)[1]
        != lab.get("Hybrid, then a sync-only middleware").facts["The view says"].rsplit(" ", 1)[-1]
    )


def test_djangos_own_async_client_agrees_with_the_lab_handler(settings):
    """The lab's handler mirrors Django's: the same facts hold through AsyncClient and settings.MIDDLEWARE."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    def mode(stack):
        settings.MIDDLEWARE = stack
        return async_to_sync(AsyncClient().get)("/sandbox/middleware/async/")["X-Hybrid-Mode"]

    assert mode([HYBRID]) == "async"
    assert mode([HYBRID, "sandbox.example_middleware.sync_only"]) == "sync"
