from django.apps import AppConfig


class LabConfig(AppConfig):
    """The machinery that records what a demo run did and shows it (imports neither lessons nor demos)."""

    name = "lab"
    verbose_name = "Lab"

    def ready(self) -> None:
        from . import checks, hooks  # noqa: F401 (checks registers the deploy checks)

        hooks.install()
