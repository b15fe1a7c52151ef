"""Read a mapped CSV file: the header checked against the mapping, then rows with line numbers.

Shared by the change loader (csv_changes.py) and the ticket snapshot-log loader
(csi_rules/replay/snapshot_log.py), so both report broken input the same way.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from csi_rules.conflicts.loading.mapping import CsvMapping
from csi_rules.errors import RecordError
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
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RecordError(f"{name}:{reader.line_num}: unreadable CSV: {exc}") from None
        line, line_end = line_end + 1, reader.line_num
        if row:
            yield line, row
