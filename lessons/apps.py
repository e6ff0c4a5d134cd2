from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        from django.utils.autoreload import autoreload_started, file_changed

        from . import checks, courses, live  # noqa: F401 (checks registers the content checks)

        courses.load()  # a course folder's own demos (LAB_COURSE_PACKAGES)
        autoreload_started.connect(live.watch_course, dispatch_uid="lessons.live.watch_course")
        file_changed.connect(live.lesson_changed, dispatch_uid="lessons.live.lesson_changed")
