"""Lab requests are addressed to a host the site accepts, so demos work in a classroom too."""

from lab.handler import build_request, send


def test_requests_use_the_first_allowed_host(settings):
    settings.ALLOWED_HOSTS = [".lab.example.org", "127.0.0.1"]
    assert build_request("/sandbox/ping/").get_host() == "lab.example.org"


def test_a_classroom_host_list_does_not_turn_lab_requests_into_400s(db, settings):
    settings.ALLOWED_HOSTS = ["lab.example.org"]
    response = send(["django.middleware.common.CommonMiddleware"], "/sandbox/ping/")
    assert response.status_code == 200


def test_an_explicit_host_header_wins(settings):
    settings.ALLOWED_HOSTS = ["*"]
    assert build_request("/", headers={"Host": "example.com"}).get_host() == "example.com"
