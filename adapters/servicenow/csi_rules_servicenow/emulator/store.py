"""The emulator's in-memory tables: rows of strings keyed by sys_id, written only through `Store`.

Every value is a string, as the Table API returns it. Writes run the business rules in
`rules.py`; journal fields are split out into `sys_journal_field` and read back empty; every
insert, update and journal entry of an audited table appends its `sys_audit` rows (audit.py).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from csi_rules_servicenow.emulator import audit, rules, sla
from csi_rules_servicenow.emulator.tables import (
    CHOICES,
    DEFAULTS,
    JOURNAL_FIELDS,
    REFERENCES,
    TASK_TABLES,
)

Row = dict[str, str]
Clock = Callable[[], datetime]

SYSTEM_FIELDS = ("sys_id", "sys_created_on", "sys_created_by", "sys_updated_on",
                 "sys_updated_by", "sys_mod_count")


def format_time(moment: datetime) -> str:
    """`yyyy-MM-dd HH:mm:ss` in UTC, the Table API's value format."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def to_text(value: Any) -> str:
    """JSON body value -> stored string (the platform stores and returns strings)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return to_text(value.get("value", ""))
    return str(value)


class DuplicateKeyError(Exception):
    """An insert whose client-chosen sys_id is taken; `detail` is the platform's wording (pk)."""

    def __init__(self, table: str, row: Row):
        shown = row.get("number") or row["sys_id"]
        self.detail = f"Error during insert of {table} ({shown})"
        super().__init__(self.detail)


class Store:
    """Tables of rows. Thread-safe: the HTTP server handles requests on many threads."""

    def __init__(self, clock: Clock, priority_matrix: Mapping[tuple[str, str], str],
                 rng: random.Random | None = None,
                 choices: Mapping[str, dict[str, dict[str, str]]] | None = None,
                 on_hold_requires_reason: bool = True):
        self.clock = clock
        self.priority_matrix = dict(priority_matrix)
        self.choices = dict(choices if choices is not None else CHOICES)
        self.on_hold_requires_reason = on_hold_requires_reason
        self.properties: dict[str, str] = {}  # system properties (instance.json `properties`)
        self.lock = threading.RLock()
        self._rng = rng or random.Random(20160122)
        self._tables: dict[str, dict[str, Row]] = {}
        self._columns: dict[str, set[str]] = {}
        self._numbers: dict[str, int] = {}
        self._audit = audit.AuditLog(self.new_sys_id)
        self._audit_index: dict[str, list[Row]] = {}  # documentkey -> rows (as instances index it)
        self._sla_index: dict[str, dict[str, Row]] = {}  # task sys_id -> its task_sla rows
        self._tables[audit.TABLE] = {}
        self._columns[audit.TABLE] = set(audit.COLUMNS)

    # -- reading -------------------------------------------------------------------------
    def tables(self) -> list[str]:
        return sorted(self._tables)

    def has_table(self, table: str) -> bool:
        return table in self._tables or table in DEFAULTS

    def rows(self, table: str) -> list[Row]:
        with self.lock:
            return list(self._tables.get(table, {}).values())

    def get(self, table: str, sys_id: str) -> Row | None:
        with self.lock:
            if table == "task":
                return self.find_task(sys_id)
            return self._tables.get(table, {}).get(sys_id)

    def find_task(self, sys_id: str) -> Row | None:
        for table in TASK_TABLES:
            row = self._tables.get(table, {}).get(sys_id)
            if row is not None:
                return row
        return None

    def audit_rows(self, document_keys: Iterable[str]) -> list[Row]:
        """sys_audit rows of these records (the documentkey index; order unspecified)."""
        with self.lock:
            return [row for key in dict.fromkeys(k.lower() for k in document_keys)
                    for row in self._audit_index.get(key, ())]

    def task_slas(self, task_id: str) -> list[Row]:
        """The task_sla rows of one task (the `task` index; a row since moved or deleted is
        dropped from it here)."""
        with self.lock:
            found = self._sla_index.get(task_id, {})
            bucket = self._tables.get(sla.TABLE, {})
            for sys_id, row in list(found.items()):
                if bucket.get(sys_id) is not row or row.get("task") != task_id:
                    del found[sys_id]
            return list(found.values())

    def columns(self, table: str) -> set[str]:
        return self._columns.get(table, set())

    def dereference(self, column: str, value: str) -> Row | None:
        """The row a reference value points at, or None (dangling or not a reference)."""
        target = REFERENCES.get(column)
        if not target or not value:
            return None
        return self.get(target, value)

    def journal(self, table: str, sys_id: str, element: str) -> list[Row]:
        """Journal entries of one record field, newest first (how the platform lists them)."""
        entries = [(r["sys_created_on"], i, r) for i, r in enumerate(self.rows("sys_journal_field"))
                   if r["element_id"] == sys_id and r["element"] == element and r["name"] == table]
        return [r for _, _, r in sorted(entries, key=lambda e: e[:2], reverse=True)]

    # -- writing -------------------------------------------------------------------------
    def load(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Seed rows as they are (no business rules); missing sys fields get neutral values."""
        count = 0
        with self.lock:
            bucket = self._tables.setdefault(table, {})
            for given in rows:
                row = {k: to_text(v) for k, v in given.items()}
                row.setdefault("sys_id", self.new_sys_id())
                if table != audit.TABLE:  # audit rows are never updated: no update count
                    row.setdefault("sys_mod_count", "0")
                bucket[row["sys_id"]] = row
                self._learn(table, row)
                if table == audit.TABLE:
                    self._index_audit(row)
                elif table == sla.TABLE:
                    self._index_sla(row)
                count += 1
        return count

    def seed_audit_trail(self) -> int:
        """Give loaded records of audited tables a trail (audit.seed_trail) unless they have one."""
        with self.lock:
            covered = {r["documentkey"] for r in self._tables[audit.TABLE].values()}
            count = 0
            for table in sorted(audit.AUDITED_TABLES & set(self._tables)):
                for row in list(self._tables[table].values()):
                    if row.get("sys_id") in covered:
                        continue
                    steps = audit.seed_trail(table, row)
                    for i, (when, user, changes) in enumerate(steps):
                        last = i == len(steps) - 1
                        count_now = int(row.get("sys_mod_count") or 0)
                        checkpoint = str(max(i, count_now) if last else i)
                        self.record_audit(table, row["sys_id"], changes, checkpoint=checkpoint,
                                          user=user, now=when)
                        count += len(changes)
            return count

    def fill_columns(self, table: str, columns: Iterable[str] = ()) -> None:
        """Give every row of `table` every known column, "" when empty (the API returns all)."""
        with self.lock:
            names = self._columns.setdefault(table, set())
            names.update(columns)
            for row in self._tables.get(table, {}).values():
                for name in names:
                    row.setdefault(name, "")

    def insert(self, table: str, values: Mapping[str, Any], user: str) -> Row:
        """Insert with business rules; a `sys_id` in `values` is kept (the platform honours a
        client-chosen one). Raises rules.DataPolicyError, DuplicateKeyError."""
        now = format_time(self.clock())
        with self.lock:
            row: Row = {c: "" for c in self.columns(table)}
            row.update(DEFAULTS.get(table, {}))
            journal = self._accept(table, values, row)
            chosen = to_text(values.get("sys_id")).strip()
            row.update({"sys_id": chosen or self.new_sys_id(), "sys_created_on": now,
                        "sys_created_by": user, "sys_updated_on": now, "sys_updated_by": user,
                        "sys_mod_count": "0"})
            taken = self.find_task(chosen) if table in TASK_TABLES else self.get(table, chosen)
            if chosen and taken is not None:
                raise DuplicateKeyError(table, row)
            rules.on_insert(self, table, row, now, user)
            self._tables.setdefault(table, {})[row["sys_id"]] = row
            self._learn(table, row)
            if table == sla.TABLE:
                self._index_sla(row)
            self.record_audit(table, row["sys_id"], audit.field_changes(table, {}, row),
                              checkpoint="0", user=user, now=now)
            self._write_journal(table, row["sys_id"], journal, now, user, checkpoint="0")
            sla.after_write(self, table, row)
            return row

    def update(self, table: str, sys_id: str, values: Mapping[str, Any], user: str) -> Row | None:
        """Apply a PATCH/PUT; None when the record does not exist. Raises rules.DataPolicyError."""
        now = format_time(self.clock())
        with self.lock:
            current = self.get(table, sys_id)
            if current is None:
                return None
            changed = dict(current)
            journal = self._accept(table, values, changed)
            rules.on_update(self, table, current, changed, now, user)
            if changed == current and not journal:
                return current
            changed["sys_updated_on"] = now
            changed["sys_updated_by"] = user
            changed["sys_mod_count"] = str(int(current.get("sys_mod_count") or 0) + 1)
            self.record_audit(table, sys_id, audit.field_changes(table, current, changed),
                              checkpoint=changed["sys_mod_count"], user=user, now=now)
            current.clear()
            current.update(changed)
            if table == sla.TABLE:
                self._index_sla(current)
            self._write_journal(table, sys_id, journal, now, user,
                                checkpoint=current["sys_mod_count"])
            sla.after_write(self, table, current)
            return current

    def record_audit(self, table: str, sys_id: str, changes: Iterable[audit.Change], *,
                     checkpoint: str, user: str, now: str) -> None:
        """Append sys_audit rows for `changes` of one record (no-op for unaudited tables)."""
        if table not in audit.AUDITED_TABLES:
            return
        with self.lock:
            bucket = self._tables[audit.TABLE]
            for row in self._audit.rows(table, sys_id, changes, checkpoint=checkpoint, user=user,
                                        now=now):
                bucket[row["sys_id"]] = row
                self._index_audit(row)

    def _index_sla(self, row: Row) -> None:
        self._sla_index.setdefault(row.get("task", ""), {})[row["sys_id"]] = row

    def _index_audit(self, row: Row) -> None:
        self._audit_index.setdefault(row.get("documentkey", "").lower(), []).append(row)

    def delete(self, table: str, sys_id: str) -> bool:
        with self.lock:
            row = self._tables.get(table, {}).pop(sys_id, None)
            if row is not None and table == audit.TABLE:
                self._audit_index[row.get("documentkey", "").lower()].remove(row)
            return row is not None

    def new_sys_id(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"

    def next_number(self, table: str, prefix: str) -> str:
        with self.lock:
            if table not in self._numbers:
                numbers = [int(r["number"][len(prefix):]) for r in self.rows(table)
                           if r.get("number", "").startswith(prefix)
                           and r["number"][len(prefix):].isdigit()]
                self._numbers[table] = max([10001, *numbers])  # PDIs start user records at 10001
            self._numbers[table] += 1
            return f"{prefix}{self._numbers[table]:07d}"

    # -- helpers -------------------------------------------------------------------------
    def _accept(self, table: str, values: Mapping[str, Any], row: Row) -> dict[str, str]:
        """Copy known columns into `row`; return journal writes. Unknown fields are ignored."""
        known = self.columns(table)
        journal: dict[str, str] = {}
        for name, value in values.items():
            text = to_text(value)
            if name in JOURNAL_FIELDS:
                if text:
                    journal[name] = text
                row[name] = ""
            elif name in SYSTEM_FIELDS:
                continue  # the platform owns these
            elif not known or name in known:
                row[name] = text
        return journal

    def _write_journal(self, table: str, sys_id: str, entries: Mapping[str, str], now: str,
                       user: str, checkpoint: str) -> None:
        for element, value in entries.items():
            self.load("sys_journal_field", [{
                "sys_id": self.new_sys_id(), "element": element, "element_id": sys_id,
                "name": table, "value": value, "sys_created_on": now, "sys_created_by": user,
            }])
        self.record_audit(table, sys_id,
                          [(e, audit.JOURNAL_ADDITION, v) for e, v in entries.items()],
                          checkpoint=checkpoint, user=user, now=now)

    def _learn(self, table: str, row: Row) -> None:
        self._columns.setdefault(table, set()).update(row)
