"""Build the search index now (otherwise the first search after a content change builds it)."""

from django.core.management.base import BaseCommand

from lessons.catalogue import get_catalogue
from lessons.search import rebuild


class Command(BaseCommand):
    help = "Index every lesson the site serves (drafts only with DEBUG on) for search."

    def handle(self, *args, **options):
        catalogue = get_catalogue()
        count = rebuild(catalogue)
        self.stdout.write(f"Indexed {count} sections of {len(catalogue.lessons)} lessons.")
