"""Change records from CSV through a column mapping, merging the rows of one change.

A change x CI table (Rabobank's) has one row per affected CI: rows with the same `groupBy` value
become one change; list fields collect every row's value and single fields merge as the mapping
says. Every broken row is an error `file:line: column X: ...`, or with on_error='skip' a
SkippedRow with that reason; no row disappears unreported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import compress
from operator import is_not
from pathlib import Path
from typing import Any

from csi_rules.conflicts.loading.change_records import ChangeRecords
from csi_rules.conflicts.loading.result import LoadResult
from csi_rules.errors import RecordError
from csi_rules.ingest.csv_cells import CellError, Found
from csi_rules.ingest.csv_rows import open_mapped_csv
from csi_rules.ingest.mapping import CsvMapping, FieldRule
from csi_rules.ingest.problems import OnError, RowProblems

Values = tuple[Any, ...]  # one row's mapped values in field order, None where none


class _Plan:
    """The mapping's fields as the rows give them: position, rule, list or not."""

    def __init__(self, mapping: CsvMapping, fields: tuple[str, ...]):
        rules = {rule.field: rule for rule in mapping.rules}
        self.fields = fields
        self.steps = [(i, name, rules[name], rules[name].is_list)
                      for i, name in enumerate(fields)]
        self.lists = frozenset(name for _, name, _, is_list in self.steps if is_list)
        at = {name: i for i, name in enumerate(fields)}
        self.start, self.end = at.get("planned_start"), at.get("planned_end")
        self.cis = at.get("configuration_items")


class _Pending:
    """A change being assembled. Most changes have one row: its values are kept as read and
    merged state is made only when a second row comes."""

    __slots__ = ("first", "key", "last", "lines", "merged", "origin", "seen", "windows")

    def __init__(self, key: str, line: int, row: list[str], values: Values):
        self.key = key
        self.lines = [line]
        self.first = (row, values)
        self.last = values  # the last row folded in
        self.merged: dict[str, Any] | None = None
        # made when a second row comes (most changes have one)
        self.origin: dict[str, tuple[int, list[str]]]  # field -> (line, row) it came from
        self.windows: list[tuple[Any, Any, list[Any]]]  # each row's window
        self.seen: dict[str, set[Any]]  # list field -> its items, for membership

    def add(self, row: list[str], values: Values, line: int, plan: _Plan,
            read: Callable[[list[str]], dict[str, Found]]) -> None:
        """Fold one more row in; all-or-nothing, so a rejected row leaves no trace."""
        if self.merged is None:
            self.merged, self.origin, self.windows, self.seen = {}, {}, [], {}
            _merge(self, *self.first, self.lines[0], plan, read)
            _note_window(self, self.first[1], plan)
        _merge(self, row, values, line, plan, read)
        _note_window(self, values, plan)
        self.lines.append(line)
        self.last = values

    def values(self, plan: _Plan) -> dict[str, Any]:
        """Field -> value; a single row's values as read (list fields as lists)."""
        if self.merged is not None:
            windows = separate_windows(self.windows)
            if windows:
                self.merged["raw.planned_windows"] = windows
            return self.merged
        lists = plan.lists
        return {name: ((list(value) if isinstance(value, list) else [value])  # _as_list
                       if name in lists else value)
                for name, value in zip(plan.fields, self.first[1], strict=True)
                if value is not None}


def load_changes_csv(path: str | Path, mapping: CsvMapping, on_error: OnError = "fail") -> LoadResult:
    """Every change in the CSV, in order of first appearance."""
    result = LoadResult()
    with open_mapped_csv(path, mapping, on_error) as csv_file:
        problems = csv_file.problems
        group_at = csv_file.header.index(mapping.group_by) if mapping.group_by else None
        pending: dict[str, _Pending] = {}
        cells = csv_file.cells
        plan = _Plan(mapping, cells.fields)
        values_of, read = cells.values, cells.read
        for line, row in csv_file.rows():
            try:
                values = values_of(row)
                key = row[group_at].strip() if group_at is not None else f"line {line}"
                if not key:
                    raise CellError(mapping.group_by or "", "empty, but it identifies the change")
                change = pending.get(key)
                if change is None:
                    pending[key] = _Pending(key, line, row, values)
                else:
                    change.add(row, values, line, plan, read)
            except CellError as exc:
                problems.report(line, f"column {exc.column}: {exc.message}")
        records = ChangeRecords()
        for change in pending.values():
            result.rows_merged += len(change.lines) - 1
            _build(change, change.values(plan), records, problems, result)
    result.rows_read = csv_file.rows_read
    result.skipped = problems.skipped
    return result


def _merge(change: _Pending, row: list[str], values: Values, line: int, plan: _Plan,
           read: Callable[[list[str]], dict[str, Found]]) -> None:
    """Fold one row into the change's merged values (all or nothing: CellError leaves them
    as they were); a field new to the change is taken as it is. A value that is the very
    object the last row folded in gave (a remembered cell) changes nothing and is passed by;
    not a float, since NaN differs from itself."""
    merged = change.merged
    assert merged is not None
    if not merged:  # the change's first row: every value is new, nothing can differ
        came_from = (line, row)
        for i, name, _, is_list in plan.steps:
            value = values[i]
            if value is not None:
                merged[name] = _as_list(value) if is_list else value
                change.origin[name] = came_from
        return
    last = change.last
    updates: dict[str, Any] = {}
    added: dict[str, list[Any]] = {}  # list field -> the items it gains
    steps: Iterable[tuple[int, str, FieldRule, bool]] = plan.steps
    if merged and float not in set(map(type, values)):
        # only the fields whose value is not the last row's very object (in C: a change's
        # rows mostly repeat the change's columns and differ in the CI's)
        steps = compress(steps, map(is_not, values, last))
    for i, name, rule, is_list in steps:
        value = values[i]
        if value is None or (value is last[i] and type(value) is not float and merged):
            continue
        if name not in merged:
            updates[name] = _as_list(value) if is_list else value
            continue
        current = merged[name]
        if is_list:
            new = _new_items(change, name, _as_list(value), current)
            if new:
                updates[name] = current + new
                added[name] = new
        elif value != current or rule.merge == "last":
            updates[name] = _combine(rule, current, value, change, line, row, read)
    seen = change.seen
    for name, value in updates.items():
        if name not in merged:
            change.origin[name] = (line, row)
        merged[name] = value
        if name in seen:
            try:
                seen[name].update(added[name])
            except TypeError:  # an unhashable item: the list is read instead
                del seen[name]


def _new_items(change: _Pending, name: str, items: list[Any], current: list[Any]) -> list[Any]:
    """`[v for v in items if v not in current]`, with `current`'s items held in a set: a
    change with a thousand rows (one per CI) made this quadratic. Set membership matches list
    membership (identity, then ==) for hashable items; others are looked up in the list."""
    seen = change.seen.get(name)
    if seen is None:
        try:
            seen = change.seen[name] = set(current)
        except TypeError:  # an unhashable item
            return [v for v in items if v not in current]
    try:
        return [v for v in items if v not in seen]
    except TypeError:
        return [v for v in items if v not in current]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _combine(rule: FieldRule, current: Any, value: Any, change: _Pending, line: int,
             row: list[str], read: Callable[[list[str]], dict[str, Found]]) -> Any:
    """A single field's value from two rows that differ (list fields never get here)."""
    if rule.merge == "first":
        return current
    if rule.merge == "last":
        return value
    if rule.merge in ("min", "max"):
        def rank(v: Any) -> Any:
            return rule.order.index(v) if rule.order and v in rule.order else v
        pick = min if rule.merge == "min" else max
        return pick(current, value, key=rank)
    # The message quotes both cells: read the two rows again for their column and text.
    _, column, text = read(row)[rule.field]
    first_line, first_row = change.origin[rule.field]
    first_text = read(first_row)[rule.field][2]
    raise CellError(column, f"{text!r} differs from {first_text!r} on line {first_line} "
                            f"for the same change {change.key}; choose merge first, last, "
                            f"min, max or collect for {rule.field} in the mapping")


def _note_window(change: _Pending, values: Values, plan: _Plan) -> None:
    if plan.start is None or plan.end is None:
        return
    start, end = values[plan.start], values[plan.end]
    cis = values[plan.cis] if plan.cis is not None else None
    if start is not None and end is not None:
        change.windows.append((start, end, _as_list(cis) if cis is not None else []))


def separate_windows(rows: list[tuple[Any, Any, list[Any]]]) -> list[dict[str, Any]]:
    """The rows' windows merged where they overlap or touch, each with its rows' CIs; more
    than one means the change has separate windows (kept, instead of their hull)."""
    if not rows:
        return []
    start, end = rows[0][0], rows[0][1]
    if all(row[0] is start and row[1] is end for row in rows):
        return []  # the usual change: every row has the very same window (remembered cells)
    merged: list[list[Any]] = []
    for start, end, cis in sorted(rows, key=lambda r: (r[0], r[1])):
        if not (isinstance(start, datetime) and isinstance(end, datetime)) or end <= start:
            return []  # a row without a usable window: the hull decides (and is reported)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] += [c for c in cis if c not in merged[-1][2]]
        else:
            merged.append([start, end, list(cis)])
    if len(merged) < 2:
        return []
    return [{"start": s.isoformat(), "end": e.isoformat(), "configuration_items": cis}
            for s, e, cis in merged]


def _build(change: _Pending, values: dict[str, Any], records: ChangeRecords,
           problems: RowProblems, result: LoadResult) -> None:
    try:
        result.changes.append(records.build(values, fresh=True))  # values() makes new lists
    except RecordError as exc:
        first = change.lines[0]
        span = f" (rows on lines {first}-{change.lines[-1]})" if len(change.lines) > 1 else ""
        problems.report(first, f"change {change.key}{span}: {exc}")
