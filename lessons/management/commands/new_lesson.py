"""Scaffold the next lesson of a track as a draft: `manage.py new_lesson orm prefetch-related`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lessons.catalogue import LESSON_FILE_RE, RESERVED, SLUG_RE, content_roots

TEMPLATE = """---
title: {title}
summary: One sentence on what this lesson shows and why it matters.
objectives:
  - Explain ...
  - Predict ...
  - Run ...
minutes: 15
draft: true  # kept out of a DEBUG-off site until you remove this line
---

## Why this matters

The problem this lesson solves, in two or three sentences.

## How it works

Show the code that runs with a `/// source | dotted.path` block (then a `///` line).

## Try it

Embed a runnable demo with a `/// demo | {track}.some-demo` block (then a `///` line).

## Gotchas

- ...

## Check yourself

1. Run the demo with ... switched off. How many queries does the report show? Why?
"""


class Command(BaseCommand):
    help = "Create content/<track>/NN-<slug>.md with valid front matter and a section skeleton."

    def add_arguments(self, parser) -> None:
        parser.add_argument("track")
        parser.add_argument("slug")

    def handle(self, *args, track: str, slug: str, **options) -> None:
        if not SLUG_RE.match(track) or track in RESERVED:
            raise CommandError(f"'{track}' is not a valid track name (lowercase letters, digits and hyphens).")
        if not SLUG_RE.match(slug):
            raise CommandError(
                f"'{slug}' is not a valid slug (lowercase letters, digits and hyphens, e.g. 'lazy-querysets')."
            )
        folder = next((root / track for root in content_roots() if (root / track / "_track.md").is_file()), None)
        if folder is None:
            raise CommandError(f"Unknown track '{track}': no content folder has {track}/_track.md.")
        numbers = []
        for path in folder.glob("*.md"):
            match = LESSON_FILE_RE.match(path.name)
            if match:
                if match["slug"] == slug:
                    raise CommandError(f"Track '{track}' already has a lesson '{slug}': {path}.")
                numbers.append(int(match["number"]))
        target = Path(folder) / f"{max(numbers, default=0) + 1:02d}-{slug}.md"
        title = slug.replace("-", " ").capitalize()
        target.write_text(TEMPLATE.format(title=title, track=track), encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {target} as a draft: `make run` shows it at /{track}/{slug}/ with a Draft badge, a DEBUG-off"
                " site leaves it out. Fill it in, run `manage.py check`, then remove `draft: true` to publish it."
            )
        )
