"""Change records from CSV through a column mapping, merging the rows of one change.

A change x CI table (Rabobank's) has one row per affected CI: rows with the same `groupBy` value
become one change; list fields collect every row's value and single fields merge as the mapping
says. Every broken row is an error `file:line: column X: ...`, or with on_error='skip' a
SkippedRow with that reason; no row disappears unreported.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from csi_rules.conflicts.loading.csv_cells import CellError, RowReader
from csi_rules.conflicts.loading.csv_rows import numbered_rows, read_header
from csi_rules.conflicts.loading.mapping import CsvMapping, FieldRule
from csi_rules.conflicts.loading.record_check import checked_record
from csi_rules.conflicts.loading.result import LoadResult, OnError, RowProblems
from csi_rules.conflicts.loading.sources import open_text
from csi_rules.errors import RecordError


@dataclass
class _Pending:
    """A change being assembled: merged values and where each first came from."""

    key: str
    lines: list[int] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, tuple[int, str]] = field(default_factory=dict)  # field -> (line, cell text)


def load_changes_csv(path: str | Path, mapping: CsvMapping, on_error: OnError = "fail") -> LoadResult:
    """Every change in the CSV, in order of first appearance."""
    result = LoadResult()
    with open_text(path, mapping.encoding, mapping.archive_member) as (stream, name):
        problems = RowProblems(name, on_error)
        reader = csv.reader(stream, delimiter=mapping.delimiter, quotechar=mapping.quotechar)
        header = read_header(reader, name, mapping)
        rows = RowReader(mapping, {col: header.index(col) for col in mapping.columns()})
        group_at = header.index(mapping.group_by) if mapping.group_by else None
        pending: dict[str, _Pending] = {}
        for line, row in numbered_rows(reader, name):
            result.rows_read += 1
            if len(row) != len(header):
                problems.report(line, f"has {len(row)} cells, the header has {len(header)}")
                continue
            try:
                values = rows.read(row)
                key = row[group_at].strip() if group_at is not None else f"line {line}"
                if not key:
                    raise CellError(mapping.group_by or "", "empty, but it identifies the change")
                change = pending.setdefault(key, _Pending(key))
                _merge(change, values, line, mapping)
            except CellError as exc:
                problems.report(line, f"column {exc.column}: {exc.message}")
                continue
            change.lines.append(line)
        for change in pending.values():
            if change.lines:
                _build(change, problems, result)
    result.skipped = problems.skipped
    return result


def _merge(change: _Pending, values: dict[str, tuple[Any, str, str]], line: int,
           mapping: CsvMapping) -> None:
    """Fold one row into the change; all-or-nothing, so a rejected row leaves no trace."""
    updates: dict[str, Any] = {}
    for rule in mapping.rules:
        if rule.field not in values:
            continue
        value, column, text = values[rule.field]
        if rule.field not in change.values:
            updates[rule.field] = list(_as_list(value)) if rule.is_list else value
            continue
        current = change.values[rule.field]
        updates[rule.field] = _combine(rule, current, value, column, text, change, line)
    for name, value in updates.items():
        if name not in change.values:
            change.origin[name] = (line, values[name][2])
        change.values[name] = value


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _combine(rule: FieldRule, current: Any, value: Any, column: str, text: str,
             change: _Pending, line: int) -> Any:
    if rule.is_list:
        merged = list(current)
        merged += [v for v in _as_list(value) if v not in merged]
        return merged
    if rule.merge == "first":
        return current
    if rule.merge == "last":
        return value
    if rule.merge in ("min", "max"):
        def rank(v: Any) -> Any:
            return rule.order.index(v) if rule.order and v in rule.order else v
        pick = min if rule.merge == "min" else max
        return pick(current, value, key=rank)
    if value != current:
        first_line, first_text = change.origin[rule.field]
        raise CellError(column, f"{text!r} differs from {first_text!r} on line {first_line} "
                                f"for the same change {change.key}; choose merge first, last, "
                                f"min, max or collect for {rule.field} in the mapping")
    return current


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _build(change: _Pending, problems: RowProblems, result: LoadResult) -> None:
    data: dict[str, Any] = {"kind": "change"}
    for field_name, value in change.values.items():
        if field_name.startswith("raw."):
            data.setdefault("raw", {})[field_name[4:]] = _json_value(value)
        else:
            data[field_name] = value
    try:
        result.changes.append(checked_record(data))
    except RecordError as exc:
        first = change.lines[0]
        span = f" (rows on lines {first}-{change.lines[-1]})" if len(change.lines) > 1 else ""
        problems.report(first, f"change {change.key}{span}: {exc}")
