from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lab.runtime import bundle, fetch


class Command(BaseCommand):
    help = (
        "Build the exercise runtime in var/runtime/: pinned Pyodide (checked by SHA-256), zips of this server's "
        "Django and code, Django 6.1, the bookshop database, a manifest. A no-op when nothing changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild even when the inputs are unchanged.")

    def handle(self, *args, force: bool, **options):
        runtime = Path(settings.LAB_RUNTIME_DIR)
        try:
            bundle.build(runtime / "build", runtime / "downloads", force=force, log=self.stdout.write)
        except fetch.ChecksumError as error:
            raise CommandError(str(error)) from error
