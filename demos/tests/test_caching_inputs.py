"""Bad input to the caching demos and endpoints: a 4xx with a message, never a 500 or a traceback."""

import pytest

HTMX = {"HTTP_HX_REQUEST": "true"}
HUGE = "9" * 5000


@pytest.fixture
def post(client, seeded, settings):
    settings.LAB_RATE_LIMIT = 0

    def run(slug, data):
        return client.post(f"/demos/{slug}/run/", data, **HTMX)

    return run


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("caching.backends", {"ops": "lots"}, "Enter a whole number."),
        ("caching.backends", {"ops": "19"}, "Ensure this value is greater than or equal to 20."),
        ("caching.backends", {"ops": "2000"}, "Ensure this value is less than or equal to 1000."),
        ("caching.backends", {"ops": HUGE[:30]}, "Ensure this value is less than or equal to 1000."),
        ("caching.backends", {"ops": HUGE}, "Enter a whole number."),  # past Python's int() digit limit
        ("caching.backends", {}, "This field is required."),
        ("caching.timing-lab", {"backend": "locmem", "trials": "1e3"}, "Enter a whole number."),
        ("caching.timing-lab", {"backend": "locmem", "trials": "-5"}, "greater than or equal to 3"),
        ("caching.timing-lab", {"backend": "locmem", "trials": "50"}, "less than or equal to 20"),
        ("caching.timing-lab", {"backend": "default", "trials": "5"}, "Select a valid choice."),
        ("caching.timing-lab", {"backend": HUGE, "trials": "5"}, "Select a valid choice."),
        ("caching.timing-lab", {"backend": "locmem"}, "This field is required."),
        ("caching.api", {"backend": "../../etc/passwd"}, "Select a valid choice."),
        ("caching.api", {}, "This field is required."),
        ("caching.stampede", {"backend": "locmem", "threads": "1"}, "greater than or equal to 2"),
        ("caching.stampede", {"backend": "locmem", "threads": "10000"}, "less than or equal to 16"),
        ("caching.stampede", {"backend": "locmem", "threads": "eight"}, "Enter a whole number."),
        ("caching.stampede", {"backend": "toolbar", "threads": "8"}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_400_with_the_fields_message(post, slug, data, message):
    response = post(slug, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some inputs need fixing" in html and message in html
    assert "Traceback" not in html


def test_an_unavailable_backend_is_a_report_not_an_error(post, settings):
    settings.CACHES = {k: v for k, v in settings.CACHES.items() if k != "memcached"}
    response = post("caching.stampede", {"backend": "memcached", "threads": "8"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "MEMCACHED_LOCATION is not set" in html and "memcached" in html


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/sandbox/caching/report/?cached=1&backend=nope", 400),
        (f"/sandbox/caching/report/?cached=1&backend={HUGE}", 400),
        ("/sandbox/caching/report/?cached=1&backend=default", 400),  # only lab backends, never the site's own caches
        ("/sandbox/caching/book/0/", 404),
        (f"/sandbox/caching/book/{HUGE[:30]}/", 404),
        (f"/sandbox/caching/book/{HUGE[:30]}/conditional/", 404),
        ("/sandbox/caching/book/abc/", 404),
    ],
)
def test_caching_endpoints_answer_bad_parameters_with_a_4xx(client, seeded, url, status):
    assert client.get(url).status_code == status


def test_a_malformed_if_modified_since_is_ignored_and_the_page_served(client, seeded):
    response = client.get("/sandbox/caching/book/1/conditional/", headers={"If-Modified-Since": "not a date"})
    assert response.status_code == 200


def test_an_unknown_backend_is_named_in_the_400_but_never_echoed_at_length(client, seeded):
    response = client.get(f"/sandbox/caching/report/?cached=1&backend={HUGE}")
    assert response.status_code == 400
    assert b"There is no cache backend" in response.content and len(response.content) < 200


@pytest.mark.parametrize(
    ("slug", "inputs"),
    [
        ("caching.backends", {"ops": 1000}),
        ("caching.timing-lab", {"trials": 20}),
        ("caching.stampede", {"threads": 16}),
        ("caching.api", {"backend": "file"}),
    ],
)
def test_the_largest_inputs_cost_at_most_a_few_cpu_seconds(run_demo, transactional_db, slug, inputs):
    """Issue 12.2: eight parallel runs at ops=2000 froze a classroom; each run's worst case is now bounded."""
    lab = run_demo(slug, **inputs)
    assert lab.cpu_ms < 4000, f"{slug} at its largest inputs took {lab.cpu_ms:.0f} ms of CPU"
