"""Reads before writes, once per batch: the fields a batch's actions compare, by JQL search.

Field actions read the issue before writing (set only what differs, `already_applied` when
nothing does). Before the runner acts on a batch it names the actions it is about to attempt
(csi_rules.adapter.PreparesBatches); this reads, for every issue they touch, the fields those
actions compare with one search per 50 keys (`key in (...)`) instead of one GET per action.
An action that writes drops its issue from the snapshot, so later reads of that issue go to
Jira again. A change made in Jira between the batch read and the write is treated as coming
after the action, as the ServiceNow adapter does. Comments are not in the snapshot: their
idempotency property is read per comment (search cannot expand comment properties).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from csi_rules.adapter import ActionRequest
from csi_rules.records import Record
from csi_rules_jira.jql import keys_jql

KEYS_PER_QUERY = 50
Search = Callable[[str, Sequence[str]], Iterator[dict[str, Any]]]


def compared_fields(action: ActionRequest, group_field: str,
                    resolve: Callable[[str], str]) -> set[str]:
    """The Jira fields `action`'s handler reads before writing (actions/*.py)."""
    kind, params = action.type, action.params
    if kind in ("assign", "escalate"):
        return {"assignee", *([group_field] if group_field and params.get("group") else [])}
    if kind == "set_priority":
        return {"priority"}
    if kind == "set_field" and params.get("field"):
        return {resolve(str(params["field"]))}
    if kind == "block":
        return {"labels"}
    if kind == "jira.link":
        return {"issuelinks"}
    if kind == "jira.transition":
        return {"status"}
    return set()


class Snapshot:
    """Issues' fields as one batch read found them: key -> fields, and which fields were read."""

    def __init__(self) -> None:
        self.issues: dict[str, dict[str, Any]] = {}
        self.fields: frozenset[str] = frozenset()

    def fill(self, search: Search, keys: Sequence[str], fields: set[str]) -> None:
        self.issues, self.fields = {}, frozenset(fields)
        for i in range(0, len(keys), KEYS_PER_QUERY):
            for issue in search(keys_jql(keys[i:i + KEYS_PER_QUERY]), sorted(fields)):
                self.issues[str(issue.get("key"))] = dict(issue.get("fields") or {})

    def issue(self, key: str, fields: Sequence[str]) -> dict[str, Any] | None:
        """The issue as read with the batch, when it holds every field asked for."""
        found = self.issues.get(key)
        if found is None or not self.fields.issuperset(fields):
            return None
        return {"key": key, "fields": {f: found.get(f) for f in fields}}

    def wrote(self, key: str) -> None:
        self.issues.pop(key, None)

    def clear(self) -> None:
        self.issues, self.fields = {}, frozenset()


def issue_keys(records: Sequence[Record], actions: Sequence[ActionRequest]) -> dict[str, str]:
    """record id -> issue key for the records the actions target."""
    wanted = {a.record_id for a in actions}
    return {r.id: str(r.data.get("number") or r.id) for r in records if r.id in wanted}
