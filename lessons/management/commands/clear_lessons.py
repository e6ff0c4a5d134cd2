"""Clear the rendered-lesson cache (and only it), e.g. after deploying new content."""

from django.core.cache import caches
from django.core.management.base import BaseCommand

from lessons import catalogue, views


class Command(BaseCommand):
    help = "Clear the `lessons` cache alias: rendered lesson HTML is rebuilt on the next view."

    def handle(self, *args, **options) -> None:
        caches["lessons"].clear()
        catalogue.reset()
        views.forget_pages()  # this process's read-through copy
        self.stdout.write(self.style.SUCCESS("Cleared the lessons cache."))
