from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the content checks)
