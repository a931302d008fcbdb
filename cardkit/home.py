# SPDX-License-Identifier: Apache-2.0
"""Where cardkit keeps its files, and how files holding personal data are created.

``$CARDKIT_HOME`` (default ``~/.local/share/cardkit``) holds the registry, the journal, the
trust store, exports and settings. Registry, journal and exports hold personal data (Law
91/2025/QH15 on personal data protection; the face image is sensitive data), so the home is kept
0700 (tightened when found looser) and such files are created 0600 whatever the umask is. Every
module resolves the home here; no other module reads ``CARDKIT_HOME``.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import IO

from cardkit.errors import FileAccessError

DIR_MODE = 0o700
FILE_MODE = 0o600


def cardkit_home() -> Path:
    """``$CARDKIT_HOME``, default ``~/.local/share/cardkit`` (not created: see :func:`ensure_home`)."""
    return Path(os.environ.get("CARDKIT_HOME") or Path.home() / ".local" / "share" / "cardkit")


def private_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` (and missing parents) 0700; an existing folder is tightened to 0700."""
    p = Path(path).expanduser()
    try:
        p.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        _tighten(p, DIR_MODE)
    except OSError as exc:
        raise FileAccessError.of(exc, p, writing=True) from None
    return p


def ensure_home() -> Path:
    """The home folder, created or tightened to 0700."""
    return private_dir(cardkit_home())


def ensure_parent(path: str | os.PathLike) -> Path:
    """Make sure the folder of ``path`` exists: a folder created here is 0700; an existing one is
    the operator's and is left as it is, except the cardkit home, which is tightened."""
    p = Path(path).expanduser()
    parent = p.parent
    home = cardkit_home().expanduser()
    if parent == home or home in parent.parents:
        ensure_home()
    if not parent.exists():
        private_dir(parent)
    return p


def _tighten(path: Path, mode: int) -> None:
    """Drop permission bits beyond ``mode`` (group/other access) of a file or folder we own
    (another user's, e.g. a registry shared read-only, is theirs to set)."""
    st = path.stat()
    if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) & ~mode:
        path.chmod(stat.S_IMODE(st.st_mode) & mode)


def private_file(path: str | os.PathLike) -> Path:
    """Create ``path`` empty with mode 0600 if it is missing, else tighten it to 0600 (its
    content is kept). For files that another library opens by name, e.g. a SQLite database:
    SQLite gives its -wal, -shm and -journal files the mode of the database file.

    An existing file is changed by name only, never opened: closing any descriptor of a SQLite
    database releases every POSIX lock this process holds on it (sqlite.org/howtocorrupt 2.2.1)."""
    p = Path(path).expanduser()
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    except FileExistsError:
        try:
            if p.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(p))
            _tighten(p, FILE_MODE)
        except OSError as exc:
            raise FileAccessError.of(exc, p, writing=True) from None
        return p
    except OSError as exc:
        raise FileAccessError.of(exc, p, writing=True) from None
    try:
        os.fchmod(fd, FILE_MODE)  # the umask may have cleared bits, never added: this is exact
    finally:
        os.close(fd)
    return p


def open_private(path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8",
                 newline: str | None = None) -> IO:
    """Open ``path`` for writing (``"w"``, ``"wb"``, ``"a"``), created 0600 whatever the umask,
    an existing file truncated (``w``) and tightened to 0600. The folder must exist: a missing
    one is a :class:`FileAccessError`, not created (the operator may have mistyped it)."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_APPEND if mode.startswith("a") else os.O_TRUNC
    p = Path(path).expanduser()
    try:
        fd = os.open(p, flags, FILE_MODE)
    except OSError as exc:
        raise FileAccessError.of(exc, p, writing=True) from None
    try:
        os.fchmod(fd, FILE_MODE)
        if "b" in mode:
            return os.fdopen(fd, mode)
        return os.fdopen(fd, mode, encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write a whole file 0600 (see :func:`open_private`)."""
    try:
        with open_private(path, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:  # the write itself: disk full, quota
        raise FileAccessError.of(exc, path, writing=True) from None
    return Path(path)
