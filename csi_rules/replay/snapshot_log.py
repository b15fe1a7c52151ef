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

Only what the history needs is kept per row (order key, instant, tracked values); the full
values are kept for the latest row of each ticket alone, so the 141,712-row UCI log loads in
bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from csi_rules.errors import RecordError, UsageError
from csi_rules.ingest.csv_cells import CellError
from csi_rules.ingest.csv_rows import open_mapped_csv
from csi_rules.ingest.mapping import UNMAPPED_PREFIX, CsvMapping, SnapshotRules
from csi_rules.ingest.problems import OnError
from csi_rules.ingest.record_check import checked_record, json_value, record_data
from csi_rules.replay.loaded import LoadedHistory

Values = dict[str, tuple[Any, str, str]]  # field -> (value, column, cell text), from RowReader
_VOCABULARY_FIELDS = ("state",)  # a `code:<value>` there is listed in the record's `unmapped`


@dataclass
class _Row:
    order: tuple[Any, ...]
    position: int  # file order breaks ties between rows equal on every orderBy field
    at: datetime
    tracked: tuple[Any, ...]


@dataclass
class _Ticket:
    key: str
    first_line: int
    rows: list[_Row] = field(default_factory=list)
    latest: _Row | None = None
    latest_values: dict[str, Any] = field(default_factory=dict)
    first_values: dict[str, tuple[tuple[Any, ...], Any]] = field(default_factory=dict)

    def add(self, row: _Row, values: dict[str, Any], firsts: frozenset[str]) -> None:
        self.rows.append(row)
        place = (row.order, row.position)
        if self.latest is None or place >= (self.latest.order, self.latest.position):
            self.latest, self.latest_values = row, values
        for name in firsts & values.keys():  # merge: first keeps the earliest snapshot's value
            kept = self.first_values.get(name)
            if kept is None or place < kept[0]:
                self.first_values[name] = (place, values[name])

    def values(self) -> dict[str, Any]:
        """The record's values: the last snapshot's, but the first for merge: first fields."""
        values = {**self.latest_values, **{n: v for n, (_, v) in self.first_values.items()}}
        if "opened_at" not in values:  # the log's first sight of the ticket is its opening
            values["opened_at"] = min(self.rows, key=lambda r: (r.order, r.position)).at
        unmapped = {n: v[len(UNMAPPED_PREFIX):] for n, v in values.items()
                    if n in _VOCABULARY_FIELDS and isinstance(v, str)
                    and v.startswith(UNMAPPED_PREFIX)}
        if unmapped:
            values["unmapped"] = unmapped
        return values


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
        lists = {r.field for r in mapping.rules if r.type == "string[]"}  # one cell, one item
        firsts = frozenset(r.field for r in mapping.rules if r.merge == "first")
        tickets: dict[str, _Ticket] = {}
        for line, row in csv_file.rows():
            try:
                key = row[group_at].strip()
                if not key or key in mapping.null_values:
                    raise CellError(mapping.group_by, "empty, but it identifies the ticket")
                values = csv_file.cells.read(row)
                snapshot = _snapshot(values, rules, line)
            except CellError as exc:
                problems.report(line, f"column {exc.column}: {exc.message}")
                continue
            ticket = tickets.get(key)
            if ticket is None:
                ticket = tickets[key] = _Ticket(key, line)
            ticket.add(snapshot, {f: [v[0]] if f in lists and not isinstance(v[0], list)
                                  else v[0] for f, v in values.items()}, firsts)
        for ticket in tickets.values():
            try:
                result.records.append(_record(ticket, mapping, rules))
            except RecordError as exc:
                problems.report(ticket.first_line, f"{rules.record_kind} {ticket.key}: {exc}")
    result.rows_read = csv_file.rows_read
    result.skipped = problems.skipped
    return result


def _snapshot(values: Values, rules: SnapshotRules, line: int) -> _Row:
    order = []
    for name in rules.order_by:
        if name not in values:
            raise CellError(name, f"empty, but snapshots are ordered by {name}")
        order.append(values[name][0])
    if rules.at not in values:
        raise CellError(rules.at, f"empty, but it gives the snapshot's time ({rules.at})")
    tracked = tuple(values[f][0] if f in values else None for f in rules.track)
    return _Row(tuple(order), line, values[rules.at][0], tracked)


def history_entries(rows: list[_Row], track: tuple[str, ...]) -> list[dict[str, Any]]:
    """{at, field, from, to} for every tracked field that differs between consecutive rows."""
    out = []
    for before, after in pairwise(rows):
        if before.tracked == after.tracked:
            continue
        at = after.at.isoformat()
        for name, old, new in zip(track, before.tracked, after.tracked, strict=True):
            if old != new:
                out.append({"at": at, "field": name, "from": json_value(old), "to": json_value(new)})
    return out


def _record(ticket: _Ticket, mapping: CsvMapping, rules: SnapshotRules) -> Any:
    ticket.rows.sort(key=lambda r: (r.order, r.position))
    record = checked_record(record_data(rules.record_kind, ticket.values()))
    record.data["history"] = history_entries(ticket.rows, rules.track)
    return record

