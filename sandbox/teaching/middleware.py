"""Middleware as learners first meet it: the concept page's example, exactly as the page prints it.

The working middleware of the track are in `sandbox.example_middleware` (and
the site's own in `sandbox.middleware`); this module keeps the page's version
so the first lesson can load it into a real handler and show Python's error.
"""


class CustomHeaderMiddleware:
    """The concept page's class as printed: `init` is an ordinary method, so Django's call fails."""

    def init(self, getresponse):
        # Never runs: Django calls CustomHeaderMiddleware(get_response), and the class has no __init__.
        self.getresponse = get_response  # noqa: F821 (the page mixes the two names; kept as printed)
