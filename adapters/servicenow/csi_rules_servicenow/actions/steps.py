"""The three kinds of write an action turns into, each able to tell whether it is already done.

Idempotency lives here. Field writes compare with a read and send only what differs (the
batch's snapshot when it holds the columns, see snapshot.py; a GET otherwise). After a write the
PATCH's own answer, asked for the written columns, is the read-back (the record as the instance
saved it, after its business rules and data policies; a GET when the answer lacks a column).
Journal writes append on every PATCH and read back empty. A work note (agents only) carries a
marker `[csi-rules:<idempotency key>]` and is skipped when an entry with that marker exists
(looked up in `sys_journal_field`, or in the field's display value). A public comment is
exactly the policy's text, never a marker: the runner's ledger keeps it from being sent twice,
and when an earlier attempt may have landed (a retry, a lost answer, a crash) the comment is
matched on a read-back: same text, same author (the integration user), written no earlier
than the decision (less `CLOCK_SKEW`). Approval requests are skipped when the group already
has a requested or approved `sysapproval_group` row. The same checks settle an ambiguous
write (timeout, dropped connection, 5xx): read, never resend. Work-note markers too are looked
up in the snapshot when it holds the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from csi_rules_servicenow.actions.snapshot import Snapshot
from csi_rules_servicenow.timefmt import format_time

if TYPE_CHECKING:
    from csi_rules_servicenow.client import TableClient

_SAFE_KEY = re.compile(r"[^A-Za-z0-9._:-]")
CLOCK_SKEW = timedelta(minutes=5)
"""How far the instance's clock may be behind the runner's when matching a comment's time."""
READ_BACK_LIMIT = 100
PUBLIC = "comments"


class ActionRefused(Exception):
    """The action cannot apply to this record (wrong kind, unknown group, ...): status failed."""


class NotForServiceNow(Exception):
    """The action is not a ServiceNow write (notify): status skipped."""


def marker(idempotency_key: str) -> str:
    return f"[csi-rules:{_SAFE_KEY.sub('_', idempotency_key)}]"


class Step(Protocol):
    def describe(self) -> str: ...

    def pending(self, client: TableClient) -> bool:
        """True when the write still has to be made (reads only)."""
        ...

    def write(self, client: TableClient) -> str:
        """Make the write; returns a platform reference (a sys_id) for the result."""
        ...


@dataclass
class FieldWrite:
    table: str
    sys_id: str
    wanted: dict[str, str]
    snapshot: Snapshot | None = None

    def __post_init__(self) -> None:
        self.fields = dict(self.wanted)  # what still differs after the last read
        self.answer: dict[str, Any] | None = None  # the record as the write's answer shows it

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in sorted((self.fields or self.wanted).items()))
        return f"set {shown} on {self.table} {self.sys_id}"

    def pending(self, client: TableClient) -> bool:
        current, self.answer = self.answer, None  # after a write: its answer is the read-back
        if current is None and self.snapshot:
            current = self.snapshot.row(self.table, self.sys_id, self.wanted)
        if current is None:
            current = client.get(self.table, self.sys_id, {
                "sysparm_fields": ",".join(self.wanted),
                "sysparm_exclude_reference_link": "true"})
        unknown = sorted(set(self.wanted) - set(current))
        if unknown:  # the platform silently ignores writes to columns it does not have
            raise ActionRefused(f"{self.table} has no field {', '.join(unknown)}")
        self.fields = {k: v for k, v in self.wanted.items() if _plain(current.get(k)) != v}
        return bool(self.fields)

    def write(self, client: TableClient) -> str:
        if self.snapshot:
            self.snapshot.wrote(self.table, self.sys_id)
        row = client.update(self.table, self.sys_id, self.fields,
                            {"sysparm_fields": ",".join(self.wanted),
                             "sysparm_exclude_reference_link": "true"})
        self.answer = row if set(self.wanted) <= set(row) else None
        return self.sys_id


@dataclass
class JournalWrite:
    table: str
    sys_id: str
    element: str  # work_notes | comments
    text: str
    key: str
    check: str = "journal_table"  # or "display_value"
    author: str = ""  # the integration user's user_name ("" when the adapter cannot know it)
    since: datetime | None = None  # the decision's time: a comment for it cannot be older
    fresh: bool = False  # no earlier attempt: nothing can have landed, no read needed
    snapshot: Snapshot | None = None

    def __post_init__(self) -> None:
        self.sent = False

    @property
    def body(self) -> str:
        """A public comment is the policy's text exactly; a work note also carries its marker."""
        return self.text if self.element == PUBLIC else f"{self.text}\n\n{marker(self.key)}"

    def describe(self) -> str:
        kind = "work note" if self.element == "work_notes" else "comment"
        return f"add {kind} to {self.table} {self.sys_id}: {self.text!r}"

    def pending(self, client: TableClient) -> bool:
        if self.element == PUBLIC:
            return (self.fresh and not self.sent) or not self._comment_found(client)
        tag = marker(self.key)
        known = self.snapshot.has_marker(self.table, self.sys_id, tag) \
            if self.snapshot and self.check == "journal_table" else None
        if known is not None:
            return not known
        if self.check == "display_value":
            row = client.get(self.table, self.sys_id, {"sysparm_fields": self.element,
                                                       "sysparm_display_value": "true"})
            return tag not in str(row.get(self.element) or "")
        rows, _ = client.list("sys_journal_field", {
            "sysparm_query": f"element_id={self.sys_id}^element={self.element}^valueLIKE{tag}",
            "sysparm_fields": "sys_id", "sysparm_limit": "1"})
        return not rows

    def _comment_found(self, client: TableClient) -> bool:
        """Read-back match for a public comment: text, author and time (see the module doc)."""
        wanted = self.text.strip()
        if self.check == "display_value":
            row = client.get(self.table, self.sys_id, {"sysparm_fields": self.element,
                                                       "sysparm_display_value": "true"})
            shown = str(row.get(self.element) or "")
            return f")\n{wanted}\n" in shown.replace("\r\n", "\n") + "\n"
        query = f"element_id={self.sys_id}^element={self.element}"
        if self.author:
            query += f"^sys_created_by={self.author}"
        if self.since is not None:
            query += f"^sys_created_on>={format_time(self.since - CLOCK_SKEW)}"
        rows, _ = client.list("sys_journal_field", {
            "sysparm_query": query + "^ORDERBYDESCsys_created_on",
            "sysparm_fields": "value", "sysparm_limit": str(READ_BACK_LIMIT)})
        return any(str(_plain(r.get("value"))).strip() == wanted for r in rows)

    def write(self, client: TableClient) -> str:
        self.sent = True
        if self.snapshot:
            self.snapshot.wrote(self.table, self.sys_id, marker(self.key))
        client.update(self.table, self.sys_id, {self.element: self.body},
                      {"sysparm_fields": "sys_id", "sysparm_exclude_reference_link": "true"})
        return self.sys_id


@dataclass
class ApprovalRequest:
    table: str
    sys_id: str
    group_id: str
    group_name: str
    snapshot: Snapshot | None = None

    def _query(self) -> str:
        return f"parent={self.sys_id}^assignment_group={self.group_id}^approvalINrequested,approved"

    def describe(self) -> str:
        return f"request approval of {self.table} {self.sys_id} from group {self.group_name}"

    def pending(self, client: TableClient) -> bool:
        rows, _ = client.list("sysapproval_group", {
            "sysparm_query": self._query(), "sysparm_fields": "sys_id", "sysparm_limit": "1"})
        return not rows

    def write(self, client: TableClient) -> str:
        if self.snapshot:  # the instance's approval rules may change the record itself
            self.snapshot.wrote(self.table, self.sys_id)
        row = client.insert("sysapproval_group", {
            "parent": self.sys_id, "assignment_group": self.group_id, "approval": "requested"},
            {"sysparm_fields": "sys_id", "sysparm_exclude_reference_link": "true"})
        return str(_plain(row.get("sys_id")))


def _plain(cell: Any) -> str:
    if isinstance(cell, dict):
        cell = cell.get("value", "")
    return "" if cell is None else str(cell)
