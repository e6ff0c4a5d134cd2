from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Bookshop sandbox"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the deploy checks)
        from .lab import hooks

        # The tracer connects before any receiver, so it logs each send first.
        hooks.install()
        from .receivers import connect_all

        connect_all()
        from .demos import autodiscover

        autodiscover()
