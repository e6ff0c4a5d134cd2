import sys
import time

from django.core.management.base import BaseCommand, CommandError

from sandbox import seed


class Command(BaseCommand):
    help = "Load the canonical bookshop seed (the numbers lessons assert); --size N adds N order items on top."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", type=int, default=0, help="Also add a large deterministic data set of N order items."
        )

    def handle(self, *args, size: int, **options):
        if size < 0:
            raise CommandError("--size must be zero or a positive number of order items.")
        counts = seed.load_canonical()
        self.stdout.write(self.style.SUCCESS("Canonical seed loaded: ") + _counts(counts))
        if size:
            started = time.perf_counter()
            counts = seed.load_large(size, progress=self._progress)
            self.stdout.write("")
            self.stdout.write(
                self.style.SUCCESS(f"Large seed added in {time.perf_counter() - started:.1f} s: ") + _counts(counts)
            )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        stream = self.stdout
        if sys.stdout.isatty():
            stream.write(f"\r[{bar}] {done:,}/{total:,}", ending="")
        elif done == total:
            stream.write(f"[{bar}] {done:,}/{total:,}")
        stream.flush()


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())
