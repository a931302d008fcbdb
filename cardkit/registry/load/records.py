# SPDX-License-Identifier: Apache-2.0
"""Read an import file as batches of stored rows: CSV in chunks parsed by worker threads, or XLSX.

Parsing is most of an import's CPU time, so the file is cut into chunks of whole records (a few
MB each) that worker threads parse; results come back in file order, so line numbers and "the
last row for a key wins" are as in a serial read. A chunk is parsed column-wise by
(:mod:`load.frames`: Polars, which releases the GIL: threads run on all cores) when it is simple
CSV, else record by record with the csv module; both give the same rows. Rows come as Polars
DataFrames, each with ``ord``: the line number of its record, for "last row wins".

Cutting is done on bytes, at a newline outside quotes (an even count of ``"`` before it). That
guess is wrong only if stray quotes (``ab"c``, which the csv module reads literally) fool the
count; the worker, reading from a true record start exactly as the serial reader would, sees it
(see :func:`parse_chunk`). A chunk failing that check, a file without usable newlines, or a
header with quotes switches to the plain serial reader from the last exact cut, so odd files
give the same report, only slower. Small files are read serially
(starting workers costs more than it saves); both paths run the same :class:`RecordParser`.
"""

from __future__ import annotations

import collections
import csv
import io
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from itertools import islice
from pathlib import Path

from cardkit.errors import CardkitError, InputError
from cardkit.registry.fastrow import RecordParser
from cardkit.registry.load.csvrecords import raise_field_limit, records
from cardkit.registry.load.frames import parse_frame
from cardkit.registry.row import resident_to_row, rows_frame
from cardkit.registry.rowparse import parse_row, resolve_columns

CHUNK_BYTES = 4 << 20
MAX_CHUNK_BYTES = 64 << 20  # a "record" longer than this: give up cutting, read serially
PARALLEL_MIN_BYTES = 16 << 20
SERIAL_BATCH = 20000



class Batch(collections.namedtuple("Batch", "frame rejected read done")):
    """Stored rows (a DataFrame, row.frame_schema()), rejections (line, reason, reason_vi),
    records read, bytes of the file done."""

    def rows(self) -> list[tuple]:
        """The stored rows as tuples, in file order (without ``ord``)."""
        return [row[:-1] for row in self.frame.sort("ord").iter_rows()]


def _frame(rows: list[tuple], lines: list[int]):
    return rows_frame(rows, lines)


def default_workers() -> int:
    # Threads: Polars releases the GIL while it works, so one more thread than cores keeps the
    # cores busy while another thread holds the GIL for its Python steps.
    return max(2, min(8, (os.cpu_count() or 1) + 1))


def _cut(buf: bytes) -> int | None:
    """Length of the longest prefix ending in a newline outside quotes, or None."""
    pos = buf.rfind(b"\n")
    if pos < 0:
        return None
    quotes = buf.count(b'"', 0, pos + 1)
    while quotes % 2:
        prev = buf.rfind(b"\n", 0, pos)
        if prev < 0:
            return None
        quotes -= buf.count(b'"', prev + 1, pos + 1)
        pos = prev
    return pos + 1


def _byte_chunks(fh, start: int, size: int) -> Iterator[tuple[int, bytes | None]]:
    """(offset, bytes of whole records); ``None`` bytes: no safe cut found, read serially from offset."""
    offset, buf = start, b""
    while True:
        data = fh.read(size)
        if not data:
            if buf:
                yield offset, buf
            return
        buf += data
        cut = _cut(buf)
        if cut is None:
            if len(buf) > MAX_CHUNK_BYTES:
                yield offset, None
                return
            continue
        yield offset, buf[:cut]
        offset += cut
        buf = buf[cut:]


def parse_chunk(parser: RecordParser, data: bytes | str):
    """(frame, rejections with chunk-relative lines, records read, lines) or None if not cut-safe."""
    if isinstance(data, bytes):
        done = parse_frame(parser, data)
        if done is not None:
            return done
    text = data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data
    reader = csv.reader(io.StringIO(text, newline=""))
    last: list[str] = []

    def tracked():
        nonlocal last
        for line, values in records(reader):
            last = values if isinstance(values, list) else []
            yield line, values

    lines: list[int] = []
    rows, rejected, read = parser.parse_many(tracked(), lines=lines)
    # Read from a record start, the csv module ends this chunk inside a quoted field exactly when
    # the cut was wrong, and then its last field ends with the chunk's final newline. (A quoted
    # field may also end in a newline legitimately: rare, and the serial fallback is still right.)
    if last and last[-1].endswith(("\n", "\r")):
        return None
    return _frame(rows, lines), rejected, read, reader.line_num


class _Counting(io.RawIOBase):
    """Counts bytes read so the progress bar can show the share of the file done."""

    def __init__(self, raw, start: int) -> None:
        self.raw, self.done = raw, start

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = self.raw.readinto(b)
        self.done += n or 0
        return n


def _text_at(path: Path, offset: int) -> tuple[io.TextIOWrapper, _Counting]:
    raw = open(path, "rb")  # noqa: SIM115 - closed with the wrapper
    raw.seek(offset)
    counter = _Counting(raw, offset)
    # surrogateescape: a row with invalid UTF-8 is rejected by the row parser, not the whole file.
    enc = "utf-8-sig" if offset == 0 else "utf-8"
    return io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), enc, "surrogateescape", newline=""), counter


def _serial(parser: RecordParser, path: Path, offset: int, first_line: int) -> Iterator[Batch]:
    """Plain csv reader from a record boundary; the fallback for anything the cutter can't do."""
    text, counter = _text_at(path, offset)
    with text:
        stream = records(csv.reader(text))
        while True:
            part = list(islice(stream, SERIAL_BATCH))
            if not part:
                return
            lines: list[int] = []
            rows, rejected, read = parser.parse_many(part, first_line, lines=lines)
            yield Batch(_frame(rows, lines), rejected, read, counter.done)


def read_header(path: Path, mapping: Mapping[str, str] | None) -> tuple[dict[str, int], int, int, int]:
    """(columns, width, lines of the header, byte offset after it, or -1 if it has quotes)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
        while b"\n" not in head and len(head) < MAX_CHUNK_BYTES:
            more = fh.read(1 << 16)
            if not more:
                break
            head += more
    text = head.decode("utf-8-sig", "surrogateescape")
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines)
    raise_field_limit()
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"the header line cannot be read as CSV: {exc}",
                         message_vi="Không đọc được dòng tiêu đề của tệp CSV.") from None
    if header is None:
        raise InputError("the file is empty", message_vi="Tệp không có dữ liệu.")
    cols = resolve_columns(header, mapping)
    consumed = text[: lines.tell()]
    safe = '"' not in consumed and (consumed.endswith("\n") or len(consumed) == len(text))
    offset = len(consumed.encode("utf-8", "surrogateescape")) + (3 if head.startswith(b"\xef\xbb\xbf") else 0)
    return cols, len(header), reader.line_num, offset if safe else -1


def csv_batches(path: Path, parser_args: tuple, mapping: Mapping[str, str] | None, *,
                workers: int | None = None, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Batch]:
    """Batches of the whole file in order; ``parser_args`` are (today, stamp) for RecordParser."""
    cols, width, header_lines, offset = read_header(path, mapping)
    parser = RecordParser(cols, width, *parser_args)
    if offset < 0:
        # Header with quotes: let the csv module find where it ends.
        yield from _serial_with_header(parser, path)
        return
    if workers is None:
        workers = default_workers() if os.path.getsize(path) >= PARALLEL_MIN_BYTES else 0
    if workers <= 0:
        yield from _serial(parser, path, offset, header_lines)
        return
    yield from _parallel(parser, path, offset, header_lines, workers, chunk_bytes)


def _serial_with_header(parser: RecordParser, path: Path) -> Iterator[Batch]:
    text, counter = _text_at(path, 0)
    with text:
        stream = records(csv.reader(text))
        next(stream, None)  # the header (read_header checked it)
        while part := list(islice(stream, SERIAL_BATCH)):
            lines: list[int] = []
            rows, rejected, read = parser.parse_many(part, lines=lines)
            yield Batch(_frame(rows, lines), rejected, read, counter.done)


def _parallel(parser: RecordParser, path: Path, start: int, line: int, workers: int, size: int) -> Iterator[Batch]:
    """Chunks parsed by a thread pool, consumed in order; at most 2 chunks per worker in flight."""
    import polars as pl

    pending: collections.deque = collections.deque()
    with open(path, "rb") as fh, ThreadPoolExecutor(workers) as pool:
        fh.seek(start)
        chunks = _byte_chunks(fh, start, size)
        try:
            while True:
                while len(pending) < 2 * workers:
                    item = next(chunks, None)
                    if item is None:
                        break
                    offset, data = item
                    if data is None:
                        pending.append((offset, None, None))
                        break
                    pending.append((offset, offset + len(data), pool.submit(parse_chunk, parser, data)))
                if not pending:
                    return
                offset, end, future = pending.popleft()
                result = future.result() if future is not None else None
                if result is None:
                    break  # not cut-safe: the serial reader takes over from this chunk's start
                frame, rejected, read, lines = result
                frame = frame.with_columns(pl.col("ord") + line)
                yield Batch(frame, [(n + line, en, vi) for n, en, vi in rejected], read, end)
                line += lines
        finally:
            for _, _, future in pending:
                if future is not None:
                    future.cancel()
    yield from _serial(parser, path, offset, line)


# -- XLSX (a spreadsheet is read whole by openpyxl; rows go through the general parser) ----------
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


def xlsx_batches(path: Path, mapping: Mapping[str, str] | None, today: date, stamp: str,
                  size: int) -> Iterator[Batch]:
    progress = [0]
    rows: list[tuple] = []
    lines: list[int] = []
    rejected: list[tuple[int, str, str]] = []
    read = 0
    for line, raw in _xlsx_rows(path, mapping, progress):
        read += 1
        try:
            rows.append(resident_to_row(parse_row(raw, today=today), stamp))
            lines.append(line)
        except CardkitError as exc:
            rejected.append((line, str(exc), exc.message_vi))
        if read >= size:
            yield Batch(rows_frame(rows, lines), rejected, read, progress[0])
            rows, lines, rejected, read = [], [], [], 0
    yield Batch(rows_frame(rows, lines), rejected, read, progress[0])
