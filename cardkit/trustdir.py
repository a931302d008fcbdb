# SPDX-License-Identifier: Apache-2.0
"""Trust folders: load a :class:`~cardkit.icao.pa.trust.TrustStore` from a folder or one file,
and import certificates, master lists and CRLs into a folder.

The store itself (:mod:`cardkit.icao.pa.trust`) is pure and never sees a path; this module does
the file work. A folder holds DER/PEM certificates (``*.cer``, ``*.der``, ``*.crt``, ``*.pem``),
CSCA master lists (``*.ml``) and CRLs (``*.crl``); other files are ignored. The default folder is
``$CARDKIT_HOME/trust`` (:mod:`cardkit.home`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path

from cardkit.errors import FileAccessError
from cardkit.home import cardkit_home, ensure_parent, write_private
from cardkit.icao.pa.trust import ImportKind, ImportResult, TrustStore

SUFFIXES = frozenset({".cer", ".der", ".crt", ".pem", ".ml", ".crl", ".ldif"})


def default_trust_dir() -> Path:
    """``$CARDKIT_HOME/trust``."""
    return cardkit_home() / "trust"


def load_trust_store(path: str | os.PathLike | None = None) -> TrustStore:
    """The store of a folder (its files with a trust suffix) or of one file; ``None`` is the
    default folder. A missing folder gives an empty store; a file that cannot be read is a
    :class:`~cardkit.errors.FileAccessError` (a store silently missing a CSCA would turn valid
    cards into UNKNOWN_ISSUER without saying why)."""
    p = Path(path) if path is not None else default_trust_dir()
    if p.is_file():
        return TrustStore.from_bytes([(p.name, _read(p))])
    if not p.is_dir():
        return TrustStore()
    files = sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES and f.is_file())
    return TrustStore.from_bytes([(f.name, _read(f)) for f in files])


def import_trust_files(directory: str | os.PathLike,
                       files: Iterable[str | os.PathLike]) -> tuple[TrustStore, list[ImportResult]]:
    """Add ``files`` to the store in ``directory`` and save there each one that added something:
    the bytes that were checked are written (0600; a created folder is 0700), not the file
    copied again. Returns the store as it now is and one result per file."""
    folder = Path(directory)
    store = load_trust_store(folder)
    results = []
    for f in files:
        result, data = _add(store, Path(f), True)
        if result.added and data is not None:
            target = folder / Path(f).name
            if not (target.exists() and target.resolve() == Path(f).resolve()):
                ensure_parent(target)
                write_private(target, data)
        results.append(result)
    return store, results


def _add(store: TrustStore, path: Path, trusted: bool) -> tuple[ImportResult, bytes | None]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ImportResult(str(path), ImportKind.REJECTED, 0, exc.strerror or str(exc)), None
    result = store.add_bytes(data, path.name, trusted=trusted)
    return dataclasses.replace(result, file=str(path)), data


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileAccessError.of(exc, path, writing=False) from None
