# SPDX-License-Identifier: Apache-2.0
"""Stream a CSV or XLSX file of residents into a store: validate, normalise, upsert by ID.

Rows are read one at a time and written in batches, so memory stays flat for files of millions
of rows. Every rejected row is reported with its line number and reason, never dropped; the
upsert skips rows whose content is unchanged, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cardkit.errors import CardkitError, InputError
from cardkit.registry.models import Resident
from cardkit.registry.rowparse import parse_row, resolve_columns
from cardkit.registry.store import Store

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


class _CountingReader(io.RawIOBase):
    """Counts bytes read so the progress bar can show the share of the file done."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw = raw
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = self.raw.readinto(b)
        self.done += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def _csv_rows(path: Path, mapping: Mapping[str, str] | None, progress: list[int]) -> Iterator[tuple[int, dict]]:
    counter = _CountingReader(open(path, "rb"))  # noqa: SIM115 - closed by the TextIOWrapper
    # surrogateescape: a row with invalid UTF-8 is rejected by the row parser, not the whole file.
    with io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), "utf-8-sig", "surrogateescape", newline="") as text:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise InputError("the file is empty", message_vi="Tệp không có dữ liệu.")
        cols = resolve_columns(header, mapping)
        width = len(header)
        for values in reader:
            progress[0] = counter.done
            if not values or (len(values) == 1 and not values[0].strip()):
                continue  # blank line
            if len(values) != width:
                yield reader.line_num, {"__error__": (len(values), width)}
                continue
            yield reader.line_num, {name: values[i] for name, i in cols.items()}


def _cell(value: object, name: str) -> object:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and name in ("id_number", "old_id_number"):
        # Spreadsheets store ID numbers as numbers and drop leading zeros (province 001...).
        return str(value).zfill(12 if name == "id_number" or value >= 10**9 else 9)
    return value


def _xlsx_rows(path: Path, mapping: Mapping[str, str] | None, progress: list[int]) -> Iterator[tuple[int, dict]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken file
        raise InputError(f"cannot read XLSX file: {type(exc).__name__}", message_vi="Không đọc được tệp XLSX.") from exc
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InputError("the file is empty", message_vi="Tệp không có dữ liệu.")
        cols = resolve_columns([str(h or "") for h in header], mapping)
        for line, values in enumerate(rows, start=2):
            progress[0] = line
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            yield line, {n: _cell(values[i], n) if i < len(values) else None for n, i in cols.items()}
    finally:
        wb.close()


def read_rows(path: Path, mapping: Mapping[str, str] | None, progress: list[int]) -> tuple[Iterator, int]:
    """Rows as (line, {field: raw value}) and the progress total (bytes, or rows for XLSX)."""
    if not path.is_file():
        raise InputError(f"no such file: {path.name}", message_vi=f"Không tìm thấy tệp {path.name}.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, mapping, progress), 0
    return _csv_rows(path, mapping, progress), os.path.getsize(path)


def import_file(
    store: Store,
    path: str | os.PathLike,
    *,
    mapping: Mapping[str, str] | None = None,
    batch_size: int = 20000,
    on_progress: Progress | None = None,
    on_reject: Callable[[Rejection], None] | None = None,
    today: date | None = None,
) -> ImportReport:
    report = ImportReport()
    progress = [0]
    started = time.perf_counter()
    rows, total = read_rows(Path(path), mapping, progress)
    before = store.count()
    written = 0
    batch: dict[str, Resident] = {}  # within a batch, the last row for a key wins
    with store.bulk_load():
        for line, raw in rows:
            report.read += 1
            resident = _parse(line, raw, report, on_reject, today)
            if resident is None:
                continue
            batch[resident.key] = resident
            if len(batch) >= batch_size:
                written += store.upsert(batch.values())
                batch.clear()
                if on_progress:
                    on_progress(report.read, progress[0], total)
        if batch:
            written += store.upsert(batch.values())
    report.inserted = store.count() - before
    report.updated = max(written - report.inserted, 0)
    report.unchanged = report.accepted - report.inserted - report.updated
    report.seconds = time.perf_counter() - started
    if on_progress:
        on_progress(report.read, total or progress[0], total)
    return report


def _parse(line: int, raw: dict, report: ImportReport, on_reject, today: date | None) -> Resident | None:
    try:
        if "__error__" in raw:
            got, want = raw["__error__"]
            raise InputError(f"{got} fields, header has {want}", message_vi=f"Dòng có {got} cột, tiêu đề có {want}")
        resident = parse_row(raw, today=today)
    except CardkitError as exc:
        rej = Rejection(line, str(exc), exc.message_vi)
        report.rejected.append(rej)
        if on_reject:
            on_reject(rej)
        return None
    report.accepted += 1
    return resident
