# SPDX-License-Identifier: Apache-2.0
"""Scratch folders of an import (the Arrow hand-over file in /dev/shm, the staging database next
to the registry): they hold the rows being imported, i.e. personal data.

Each is a 0700 folder named ``cardkit-import-<pid>-<random>``, removed when the import ends on
any path (success, error, Ctrl+C: a ``finally``; SIGTERM reaches it too, as the CLI turns it
into an exit). A process killed outright (SIGKILL, power cut) cannot clean up: the next opening
of a SQLite registry (any import, match or station start) sweeps folders whose process is gone
(:func:`sweep_stale`). Folders of a live process, and
folders not owned by this user, are never touched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

SHM_DIR = "/dev/shm"
PREFIX = "cardkit-import-"
_NAME = re.compile(re.escape(PREFIX) + r"(\d+)-")


def make(base: str | None) -> str:
    """A new scratch folder (0700, like every ``mkdtemp``) under ``base`` (None: the temp dir)."""
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base)


@contextlib.contextmanager
def folder(base: str | None) -> Iterator[str]:
    """A scratch folder for the block, removed however the block ends."""
    path = make(base)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_stale(bases: Iterable[str | None]) -> list[str]:
    """Remove scratch folders left by dead processes under ``bases`` (None: the temp dir);
    returns the folders removed."""
    removed = []
    for base in {b or tempfile.gettempdir() for b in bases}:
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            m = _NAME.match(entry.name)
            if m is None or int(m.group(1)) == os.getpid():
                continue
            try:
                if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                    continue
            except OSError:
                continue
            if not _alive(int(m.group(1))):
                shutil.rmtree(entry.path, ignore_errors=True)
                if not Path(entry.path).exists():
                    removed.append(entry.path)
    if removed:
        log.info("removed %d import scratch folder(s) left by processes that are gone", len(removed))
    return removed
