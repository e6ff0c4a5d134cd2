"""Remove what crashed demo runs left behind: learner-owned rows and stale cover folders (lab.sweeper)."""

from django.core.management.base import BaseCommand

from lab.sweeper import sweep


class Command(BaseCommand):
    help = (
        "Delete learner-owned rows of learners with no run going, and learner cover folders under "
        "MEDIA_ROOT/covers/ untouched for --min-age seconds. Canonical rows and files are never touched."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--min-age",
            type=float,
            default=None,
            help="Seconds a cover folder must be untouched before it is removed (default: LAB_SWEEP_AGE).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be removed; remove nothing.")

    def handle(self, *args, min_age: float | None = None, dry_run: bool = False, **options) -> None:
        if min_age is not None and min_age < 0:
            self.stderr.write("--min-age must be 0 or more.")
            raise SystemExit(2)
        swept = sweep(min_age=min_age, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        rows = "rows of" if dry_run else f"{swept.rows} row(s) of"
        self.stdout.write(f"{verb} {rows} {len(swept.learners)} learner(s) and {len(swept.folders)} cover folder(s).")
