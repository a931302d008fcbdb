# SPDX-License-Identifier: Apache-2.0
"""CSV records from the csv module without letting one bad record end the import.

The csv module refuses a field over ``csv.field_size_limit()`` (128 KiB by default) by raising
``_csv.Error`` out of the reader, which used to abort the whole import. Here the limit is raised
to :data:`FIELD_LIMIT` (the longest record the chunk cutter hands over), so a long field is
read whole and its record is rejected by the row rules ("too long") with its line number, the
record boundaries staying exact; only a field beyond that (in practice an unclosed quote running
to the end of the file) is still a csv error, and it becomes one rejected record too.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from cardkit.errors import InputError

FIELD_LIMIT = 64 << 20  # = csvload.MAX_CHUNK_BYTES: no record the cutter passes on is longer


class CsvRecordError(InputError):
    """A record the csv module could not read (stands in the record stream for that record)."""


def raise_field_limit() -> None:
    """The csv module's limit is one setting of the process: raised, never lowered."""
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)


def records(reader, first: int = 0) -> Iterator[tuple[int, list[str] | CsvRecordError]]:
    """``(line, values)`` of each record of ``reader`` (a ``csv.reader``), with a
    :class:`CsvRecordError` instead of the values for a record the csv module refused; the
    reader then goes on with the next line."""
    raise_field_limit()
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num + first, CsvRecordError(
                f"record cannot be read as CSV: {exc}",
                message_vi="Dòng không đọc được theo định dạng CSV (một trường quá dài hoặc thiếu dấu ngoặc kép đóng).")
            continue
        yield reader.line_num + first, values


def one_record(line: str) -> list[str] | CsvRecordError:
    """The values of a one-line record (or its error)."""
    for _, values in records(csv.reader([line])):
        return values
    return []
