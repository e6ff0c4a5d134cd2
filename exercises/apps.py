from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    """Exercises the learner writes; declared here, run and checked in the learner's browser."""

    name = "exercises"
    verbose_name = "Exercises"

    def ready(self) -> None:
        from . import autodiscover

        autodiscover()
