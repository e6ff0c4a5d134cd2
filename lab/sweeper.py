"""Sweeping what crashed runs left behind: learner-owned rows, and cover folders under MEDIA_ROOT.

Committing demos write into private table copies (lab.private) that die with their connection,
so a killed worker leaves no rows; the sweeper is the safety net for rows that reach the real
tables any other way (data from before the copies, a bug). Files have no transaction: a worker
killed in the middle of `signals.cover-cleanup` leaves `covers/<learner>/cover.txt` behind.

A learner's leftovers are stale when no run of theirs is going (lab.limits holds the learner's
slot during a run) and, for folders, when nothing in them changed for LAB_SWEEP_AGE seconds.
The run view sweeps at most once per LAB_SWEEP_INTERVAL on each machine (`maybe_sweep`);
`manage.py sweep_sandbox` sweeps now.
"""

from __future__ import annotations

import logging
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from . import limits
from .learners import LEARNER_RE
from .reset import learner_owned_models, reset_learner

logger = logging.getLogger("lab.sweeper")


@dataclass
class Swept:
    rows: int = 0
    folders: list[str] = field(default_factory=list)
    learners: set[str] = field(default_factory=set)


def stale_row_learners() -> set[str]:
    found: set[str] = set()
    for model in learner_owned_models():
        found.update(model._default_manager.exclude(learner="").values_list("learner", flat=True).distinct())
    return {learner for learner in found if not limits.run_in_progress(learner)}


def stale_folders(min_age: float, now: float) -> list[Path]:
    """Learner cover folders (named like a learner id; never the canonical one) untouched for `min_age` s."""
    root = Path(settings.MEDIA_ROOT) / "covers"
    if not root.is_dir():
        return []
    stale = []
    for folder in root.iterdir():
        if not folder.is_dir() or folder.is_symlink() or not LEARNER_RE.fullmatch(folder.name):
            continue
        newest = max([folder.stat().st_mtime] + [p.lstat().st_mtime for p in folder.rglob("*")])
        if now - newest >= min_age and not limits.run_in_progress(folder.name):
            stale.append(folder)
    return stale


def sweep(min_age: float | None = None, dry_run: bool = False) -> Swept:
    """Delete stale learner-owned rows and cover folders; return what was (or would be) removed."""
    min_age = settings.LAB_SWEEP_AGE if min_age is None else min_age
    swept = Swept()
    for folder in stale_folders(min_age, time.time()):
        swept.folders.append(folder.name)
        swept.learners.add(folder.name)
        if not dry_run:
            shutil.rmtree(folder, ignore_errors=True)
    for learner in sorted(stale_row_learners()):  # reset_learner also removes a fresher folder of theirs
        swept.learners.add(learner)
        if not dry_run:
            swept.rows += reset_learner(learner)
    if swept.learners and not dry_run:
        logger.info(
            "Swept leftovers of %d learner(s): %d row(s), %d cover folder(s).",
            len(swept.learners),
            swept.rows,
            len(swept.folders),
        )
    return swept


def maybe_sweep() -> Swept | None:
    """Sweep if no run on this machine has in the last LAB_SWEEP_INTERVAL seconds; never fail a run."""
    interval = settings.LAB_SWEEP_INTERVAL
    if interval <= 0:
        return None
    # Per machine: rows are shared, but each app server has its own var/media.
    first, _ = limits.store.call("add", f"lab:swept:{socket.gethostname()}", 1, timeout=interval)
    if not first:
        return None
    try:
        return sweep()
    except Exception:  # a sweep is housekeeping: log it, and let the run go on
        logger.exception("The sandbox sweep failed")
        return None
