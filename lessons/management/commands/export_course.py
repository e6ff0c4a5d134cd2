"""`manage.py export_course <dir>`: the published course as static pages that open from disk (see lessons.export)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lessons.export import ExportError, export_course


class Command(BaseCommand):
    help = "Write the course as a static folder (relative links, works from file://) for offline handouts and print."

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", help="a new or empty folder (or an earlier export, which is replaced)")

    def handle(self, *args, directory: str, **options) -> None:
        target = Path(directory).expanduser().resolve()
        try:
            result = export_course(target)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        for what in result.left_out:
            self.stderr.write(f"Left out {what} (a draft, or errors: see manage.py check).")
        self.stdout.write(
            self.style.SUCCESS(f"Exported {len(result.pages)} pages and {len(result.static)} static files to {target}.")
        )
        self.stdout.write(f"Open {(target / 'index.html').as_uri()} in a browser; print a lesson from there.")
