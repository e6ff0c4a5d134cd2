from django.apps import AppConfig


class ClassroomDemosConfig(AppConfig):
    name = "tests.classroom_demos"
    label = "classroom_demos"

    def ready(self) -> None:
        from . import demos  # noqa: F401 (registers the test demos)
