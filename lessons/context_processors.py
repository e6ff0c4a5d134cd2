"""Navigation data for every page, read from the in-memory catalogue (no files, no queries)."""

import django
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .catalogue import get_catalogue


def site(request: HttpRequest) -> dict:
    return {
        "lab_catalogue": SimpleLazyObject(get_catalogue),
        "lab_django_version": django.get_version(),
    }
