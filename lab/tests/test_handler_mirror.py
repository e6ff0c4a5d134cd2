"""LabHandler.load_middleware mirrors Django's BaseHandler.load_middleware: a Django upgrade that changes it fails here."""

import hashlib
import inspect

import django
from django.core.handlers.base import BaseHandler

from lab.handler import LabHandler

# sha256 of `inspect.getsource(BaseHandler.load_middleware)` for each Django the course supports.
# 6.1 only rewraps the docstring; the code is the same as 5.2's.
MIRRORED = {
    (5, 2): "a1fb7ee5f8586195da2174d1bbc2bbfc7ca19b9d26ea66412cb434f45bf6d467",
    (6, 1): "b75c13d1041e06d98675e980fd65a1278112e17192d1dfbd06a4559b2c5eba7a",
}


def test_djangos_load_middleware_is_the_one_the_lab_handler_mirrors():
    source = inspect.getsource(BaseHandler.load_middleware)
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert MIRRORED.get(django.VERSION[:2]) == digest, (
        f"Django {django.get_version()}'s BaseHandler.load_middleware is not the one lab/handler.py mirrors: "
        "compare the two line by line, bring LabHandler.load_middleware up to date, then pin the new digest here."
    )


def test_the_mirror_builds_the_chain_django_would():
    handler = LabHandler(["django.middleware.common.CommonMiddleware"])
    handler.load_middleware()
    assert handler._middleware_chain is not None
    assert inspect.getsource(LabHandler.load_middleware).count("adapt_method_mode") == inspect.getsource(
        BaseHandler.load_middleware
    ).count("adapt_method_mode")
