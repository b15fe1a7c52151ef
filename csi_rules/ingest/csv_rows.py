"""Read a mapped CSV file: the header checked against the mapping, then rows with line numbers.

Shared by the change loader (csi_rules/conflicts/loading/csv_changes.py) and the ticket
snapshot-log loader (csi_rules/replay/snapshot_log.py), so both report broken input the same way.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from csi_rules.errors import RecordError
from csi_rules.ingest.csv_cells import RowReader
from csi_rules.ingest.mapping import CsvMapping
from csi_rules.ingest.problems import OnError, RowProblems
from csi_rules.ingest.row_count import row_counter
from csi_rules.ingest.sources import open_text
from csi_rules.suggest import unknown_name


def read_header(reader: Any, name: str, mapping: CsvMapping) -> list[str]:
    """The header row; every column the mapping reads must appear in it exactly once."""
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise RecordError(f"{name}:1: empty file; expected a header row") from None
    for column in mapping.columns():
        if column not in header:
            raise RecordError(f"{name}:1: {unknown_name('column', column, header)}, named in "
                              f"mapping {mapping.name} ({mapping.file})")
        if header.count(column) > 1:
            raise RecordError(f"{name}:1: column {column!r} appears {header.count(column)} "
                              f"times in the header")
    return header


def numbered_rows(reader: Any, name: str) -> Iterator[tuple[int, list[str]]]:
    """Non-empty rows after the header, each with the line it starts on (a quoted cell may
    span lines); a row the csv module cannot read is an error naming its line."""
    line_end = reader.line_num
    counted = row_counter()  # a progress bar, when a command shows one
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RecordError(f"{name}:{reader.line_num}: unreadable CSV: {exc}") from None
        line, line_end = line_end + 1, reader.line_num
        counted(1)
        if row:
            yield line, row


class MappedCsv:
    """An open CSV file read through a mapping: header checked, cells read by `cells`, and
    broken rows raised or skipped through `problems`."""

    def __init__(self, stream: TextIO, name: str, mapping: CsvMapping, on_error: OnError):
        self.name = name
        self.problems = RowProblems(name, on_error)
        self._reader = csv.reader(stream, delimiter=mapping.delimiter, quotechar=mapping.quotechar)
        self.header = read_header(self._reader, name, mapping)
        self.cells = RowReader(mapping, {col: self.header.index(col) for col in mapping.columns()})
        self.rows_read = 0

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, row) for every row with as many cells as the header; a row with another
        count is reported (it still counts in `rows_read`)."""
        for line, row in numbered_rows(self._reader, self.name):
            self.rows_read += 1
            if len(row) != len(self.header):
                self.problems.report(line, f"has {len(row)} cells, the header has "
                                           f"{len(self.header)}")
                continue
            yield line, row


@contextmanager
def open_mapped_csv(path: str | Path, mapping: CsvMapping,
                    on_error: OnError) -> Iterator[MappedCsv]:
    """The file (or the mapping's member of a .zip) opened as a MappedCsv."""
    with open_text(path, mapping.encoding, mapping.archive_member) as (stream, name):
        yield MappedCsv(stream, name, mapping, on_error)
