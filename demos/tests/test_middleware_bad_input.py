"""Bad input to the middleware demos and endpoints: a clear message and a 4xx, never a 500 or a traceback."""

import pytest

BAD_INPUTS = [
    ("middleware.onion", {"order": "A,B,D"}, "Select a valid choice"),
    ("middleware.onion", {"order": ""}, "This field is required"),
    ("middleware.onion", {}, "This field is required"),
    ("middleware.hooks", {"scenario": "drop_tables", "layer": "B"}, "Select a valid choice"),
    ("middleware.hooks", {"scenario": "short_view", "layer": "D"}, "Select a valid choice"),
    ("middleware.hooks", {"layer": "B"}, "This field is required"),
    ("middleware.errors", {"scenario": "view_raises", "layer": "A" * 10_000}, "Select a valid choice"),
    ("middleware.errors", {"scenario": "", "layer": "C"}, "This field is required"),
    ("middleware.compose", {"order": "Session,os.system", "path": "/sandbox/middleware/hooks/"}, "Unknown middleware"),
    ("middleware.compose", {"order": ",".join(["A"] * 17), "path": "/sandbox/middleware/hooks/"}, "At most 16 layers"),
    ("middleware.compose", {"order": "A" * 5000, "path": "/sandbox/middleware/hooks/"}, "at most 400 characters"),
    ("middleware.compose", {"order": " , ,", "path": "/sandbox/middleware/hooks/"}, "List at least one middleware"),
    ("middleware.compose", {"order": "A", "path": "/admin/"}, "Select a valid choice"),
    ("middleware.compose", {"order": "A", "path": "http://evil.example/"}, "Select a valid choice"),
    ("middleware.compose", {"path": "/sandbox/middleware/hooks/"}, "List at least one middleware"),
    ("middleware.production", {"path": "/sandbox/middleware/boom/"}, "Select a valid choice"),
    (
        "middleware.production",
        {"path": "/sandbox/middleware/books/", "request_id": "x" * 201},
        "at most 200 characters",
    ),
    ("middleware.production", {}, "This field is required"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "data", "message"), BAD_INPUTS)
def test_bad_input_gets_a_400_with_a_message_in_the_card(seeded, client, settings, slug, data, message):
    settings.LAB_RATE_LIMIT = 0
    response = client.post(f"/demos/{slug}/run/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Traceback" not in html


@pytest.mark.django_db
def test_over_long_stack_counts_names_after_dropping_blanks(seeded, client, settings):
    settings.LAB_RATE_LIMIT = 0
    order = ",".join(["A", "B", "C"] + [""] * 30)  # 3 names, many empty slots: valid
    response = client.post(
        "/demos/middleware.compose/run/", {"order": order, "path": "/sandbox/middleware/hooks/"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/sandbox/middleware/hooks/?short_view=Z&short_call=%00&raise_in=%ff",
        "/sandbox/middleware/books/?touch_session=" + "x" * 3000,
        "/sandbox/middleware/tr/?touched=1",
        "/sandbox/middleware/api/books/?page=-1",
        "/sandbox/middleware/stream/?chunks=lots",
        "/sandbox/middleware/async/?x=%zz",
        "/sandbox/middleware/open/",
        "/sandbox/middleware/api/health/",
    ],
)
def test_endpoints_shrug_off_odd_query_parameters(seeded, client, url):
    # On the site no A/B/C layer is installed, so their query switches do nothing.
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_an_unknown_endpoint_is_a_404(client):
    assert client.get("/sandbox/middleware/no-such-page/").status_code == 404


@pytest.mark.django_db
def test_an_unknown_name_is_echoed_escaped(seeded, client, settings):
    settings.LAB_RATE_LIMIT = 0
    order = "<script>alert(1)</script>"
    response = client.post(
        "/demos/middleware.compose/run/", {"order": order, "path": "/sandbox/middleware/hooks/"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
