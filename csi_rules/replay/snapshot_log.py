"""Ticket records with history from an audit log of full snapshots (CSV, or a .zip holding one).

ServiceNow audit exports such as the UCI incident event log hold one row per update, each a
full copy of the ticket at that moment. The rows of one ticket (same `groupBy` value), put in
`orderBy` order, become one record: its fields come from the last snapshot (from the first for
`merge: first` fields and, by default, opened_at), and every change of a tracked field between
two consecutive snapshots becomes a history entry {at, field, from, to}, `at` being the later
snapshot's instant. A ticket whose log gives no opened_at opened at its first snapshot: the
first event of any kind, not the first change of a tracked field (which would start its SLA
clocks late, or never for a ticket whose tracked fields never change). Cells are read by the
shared column-mapping code (csi_rules/ingest), so value maps, null markers, date formats and
error messages are the same as for change files.

Each row is kept as the tuple of its mapped values (no dict per row: cells are shared with
the rows before them through the cell cache); a ticket's rows are put in order once, when its
record is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from csi_rules.errors import RecordError, UsageError
from csi_rules.ingest.csv_cells import CellError
from csi_rules.ingest.csv_rows import open_mapped_csv
from csi_rules.ingest.mapping import UNMAPPED_PREFIX, CsvMapping, SnapshotRules
from csi_rules.ingest.problems import OnError
from csi_rules.ingest.record_check import PLAIN_TYPES, RecordCheck, json_value
from csi_rules.records import Record
from csi_rules.replay.loaded import LoadedHistory

Row = tuple[tuple[Any, ...], int, tuple[Any, ...]]  # (order key, line, values in field order)
_VOCABULARY_FIELDS = ("state",)  # a `code:<value>` there is listed in the record's `unmapped`


def load_snapshot_log(path: str | Path, mapping: CsvMapping,
                      on_error: OnError = "fail") -> LoadedHistory:
    """One record per ticket, in order of first appearance; broken rows raise `file:line: ...`
    or, with on_error='skip', are left out of their ticket and listed in `skipped`."""
    rules = mapping.snapshots
    if rules is None or mapping.group_by is None:
        raise UsageError(f"mapping {mapping.name} ({mapping.file}) is a {mapping.kind}, not a "
                         f"SnapshotCsvMapping: it does not say how snapshots become history")
    result = LoadedHistory()
    with open_mapped_csv(path, mapping, on_error) as csv_file:
        problems = csv_file.problems
        group_at = csv_file.header.index(mapping.group_by)
        nulls = mapping.null_values
        values_of = csv_file.cells.values
        fields = csv_file.cells.fields
        build = _RecordBuilder(mapping, rules, fields)
        order_of, at_i = build.order_of, build.at_i
        tickets: dict[str, list[Row]] = {}
        for line, row in csv_file.rows():
            try:
                key = row[group_at].strip()
                if not key or key in nulls:
                    raise CellError(mapping.group_by, "empty, but it identifies the ticket")
                values = values_of(row)
                order = order_of(values)
                if None in order or values[at_i] is None:
                    build.missing(values)
            except CellError as exc:
                problems.report(line, f"column {exc.column}: {exc.message}")
                continue
            rows = tickets.get(key)
            if rows is None:
                tickets[key] = [(order, line, values)]
            else:
                rows.append((order, line, values))
        for key, rows in tickets.items():
            first_line = rows[0][1]  # the ticket's first (readable) row in the file
            try:
                result.records.append(build.record(rows))
            except RecordError as exc:
                problems.report(first_line, f"{rules.record_kind} {key}: {exc}")
    result.rows_read = csv_file.rows_read
    result.skipped = problems.skipped
    return result


class _RecordBuilder:
    """A ticket's rows (values tuples in `fields` order) -> its record with history."""

    def __init__(self, mapping: CsvMapping, rules: SnapshotRules, fields: Sequence[str]):
        self.rules = rules
        index = {name: i for i, name in enumerate(fields)}
        self.order_at = tuple(index[name] for name in rules.order_by)
        self.at_i = index[rules.at]
        self.order_of: Callable[[tuple[Any, ...]], tuple[Any, ...]] = _getter(self.order_at)
        self.tracked_of = _getter(tuple(index[name] for name in rules.track))
        lists = {r.field for r in mapping.rules if r.type == "string[]"}
        firsts = {r.field for r in mapping.rules if r.merge == "first"}
        # (position, field, its name under raw or "", merge: first, a list field) per field
        self.layout = tuple((i, name, name[4:] if name.startswith("raw.") else "",
                             name in firsts, name in lists) for i, name in enumerate(fields))
        self.vocabulary = tuple(n for n in _VOCABULARY_FIELDS if n in index)
        self.check = RecordCheck(rules.record_kind)

    def missing(self, values: tuple[Any, ...]) -> None:
        """Raise the CellError for a row without an order key or instant."""
        for name, i in zip(self.rules.order_by, self.order_at, strict=True):
            if values[i] is None:
                raise CellError(name, f"empty, but snapshots are ordered by {name}")
        raise CellError(self.rules.at, f"empty, but it gives the snapshot's time "
                                       f"({self.rules.at})")

    def data(self, rows: list[Row]) -> dict[str, Any]:
        """The record's fields (laid out as ingest.record_check.record_data lays them out): the
        last snapshot's values, but the first for merge: first fields."""
        latest = rows[-1][2]
        picked = []
        later = []  # merge: first fields the last snapshot has no value for come last
        for i, name, raw_name, first, listed in self.layout:
            value = latest[i]
            if first:  # merge: first keeps the earliest snapshot's value
                earliest = next((r[2][i] for r in rows if r[2][i] is not None), None)
                if value is None:
                    if earliest is not None:
                        later.append((name, raw_name, earliest, listed))
                    continue
                value = earliest
            if value is not None:
                picked.append((name, raw_name, value, listed))
        data: dict[str, Any] = {"kind": self.rules.record_kind}
        raw: dict[str, Any] | None = None
        for name, raw_name, value, listed in picked + later if later else picked:
            if listed and type(value) is not list:  # one cell, one item
                value = [value]
            if raw_name:
                if raw is None:
                    raw = data["raw"] = {}
                raw[raw_name] = value if type(value) in PLAIN_TYPES else json_value(value)
            else:
                data[name] = value
        if "opened_at" not in data:  # the log's first sight of the ticket is its opening
            data["opened_at"] = rows[0][2][self.at_i]
        unmapped = {n: v[len(UNMAPPED_PREFIX):] for n in self.vocabulary
                    if isinstance(v := data.get(n), str) and v.startswith(UNMAPPED_PREFIX)}
        if unmapped:
            data["unmapped"] = unmapped
        return data

    def record(self, rows: list[Row]) -> Record:
        rows.sort(key=_ORDER)  # stable: rows equal on every orderBy field keep file order
        record = self.check(self.data(rows))
        record.data["history"] = self.history(rows)
        return record

    def history(self, rows: list[Row]) -> list[dict[str, Any]]:
        """{at, field, from, to} for every tracked field that differs between consecutive rows."""
        out = []
        track, tracked_of, at_i = self.rules.track, self.tracked_of, self.at_i
        before = tracked_of(rows[0][2])
        for _, _, values in rows[1:]:
            after = tracked_of(values)
            if after != before:
                at = values[at_i].isoformat()
                for name, old, new in zip(track, before, after, strict=True):
                    if old != new:
                        out.append({"at": at, "field": name,
                                    "from": old if type(old) in PLAIN_TYPES else json_value(old),
                                    "to": new if type(new) in PLAIN_TYPES else json_value(new)})
            before = after
        return out


_ORDER = itemgetter(0)


def _getter(positions: tuple[int, ...]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A tuple of the values at `positions` (a tuple even for one position)."""
    if len(positions) == 1:
        (only,) = positions
        return lambda values: (values[only],)
    return itemgetter(*positions)
