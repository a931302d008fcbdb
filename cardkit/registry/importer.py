# SPDX-License-Identifier: Apache-2.0
"""Stream a CSV or XLSX file of residents into a store: validate, normalise, upsert by ID.

Rows are read in batches (CSV: chunks parsed by worker threads; XLSX: see :mod:`load.records`) and
staged, then merged into the registry at once (:meth:`Store.bulk_load`), so memory stays flat
for files of millions of rows and an interrupted import changes nothing. Every rejected row is
reported with its line number and reason, never dropped; within a file the last row for an ID
wins; the upsert skips rows whose content is unchanged, so importing a file twice changes nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cardkit.errors import InputError
from cardkit.registry.load.records import SERIAL_BATCH, csv_batches, xlsx_batches
from cardkit.registry.store import Store, now_utc

Progress = Callable[[int, int, int], None]  # (rows read, bytes or rows done, total or 0)


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str
    reason_vi: str


@dataclass
class ImportReport:
    read: int = 0
    accepted: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"{self.read} rows read: {self.inserted} inserted, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected "
            f"({self.seconds:.1f} s, {self.rate:,.0f} rows/s)"
        )


def import_file(
    store: Store,
    path: str | os.PathLike,
    *,
    mapping: Mapping[str, str] | None = None,
    batch_size: int = SERIAL_BATCH,
    on_progress: Progress | None = None,
    on_reject: Callable[[Rejection], None] | None = None,
    today: date | None = None,
    workers: int | None = None,
    on_wait: Callable[[], None] | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file. ``workers``: parser processes for CSV (None: by file size, 0: none).
    ``on_wait``: called if another import into the same registry runs (this one then waits for it)."""
    report = ImportReport()
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path.name}", message_vi=f"Không tìm thấy tệp {path.name}.")
    today = today or date.today()
    stamp = now_utc().isoformat()  # one updated_at for the whole import
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        batches, total = xlsx_batches(path, mapping, today, stamp, batch_size), 0
    else:
        batches, total = csv_batches(path, (today, stamp), mapping, workers=workers), os.path.getsize(path)
    done = 0
    with store.bulk_load(on_wait) as load:
        for batch in batches:
            report.read += batch.read
            report.accepted += batch.frame.height
            for line, reason, reason_vi in batch.rejected:
                rej = Rejection(line, reason, reason_vi)
                report.rejected.append(rej)
                if on_reject:
                    on_reject(rej)
            load.stage(batch.frame)
            done = batch.done
            if on_progress:
                on_progress(report.read, done, total)
    # Counted under the load's lock: no other import's rows are in these numbers. (A check-in
    # adding a resident meanwhile could still shift them; they are clamped, never negative.)
    report.inserted = max(load.after - load.before, 0)
    report.updated = max(load.written - report.inserted, 0)
    report.unchanged = max(report.accepted - report.inserted - report.updated, 0)
    report.seconds = time.perf_counter() - started
    if on_progress:
        on_progress(report.read, total or done, total)
    return report
