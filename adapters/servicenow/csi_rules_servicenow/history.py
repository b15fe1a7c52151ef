"""A record's field history from the instance's audit log (`sys_audit`), in record terms.

sys_audit holds one row per changed field of an audited record (c_UnderstandingTheSysAuditTable.md):
`documentkey` (the record's sys_id), `tablename`, `fieldname`, `oldvalue` / `newvalue` as stored
(choice codes, sys_ids for references, UTC date-times), `user` (a user name), `sys_created_on`,
and `record_checkpoint` (the record's update count: 0 for the insert; rows of one update share it).

Reading: one Table API query per 100 records of a page (`tablename=T^documentkeyIN...^fieldnameIN
...^ORDERBYsys_created_on^ORDERBYrecord_checkpoint^ORDERBYsys_id`), paged by `sysparm_offset`
following the `Link` header's rel="next" (the limit applies before ACLs, so a short page is not
proof of the end). Raw values only (`sysparm_display_value=false`): references are then resolved
to the names records carry, in batches, through `sys_user_group` / `sys_user`.

Mapping: the rows of a record are replayed update by update (one `record_checkpoint`), and after
each update the record fields are projected from the raw values with the same tables the
normalizer uses: `state` (or the older `incident_state` when an update has no `state` row) via
`tables.state`, `priority` via `tables.priority`, `impact`/`urgency` as integers,
`assignment_group`/`assignee` as names, `hold_reason` as the contract's reason (set only while
on_hold, as on the record; a change's `on_hold` flag gives "other"), `resolved_at`/`closed_at` as
ISO 8601 UTC, `approval` (changes, requests) as the record's approval state, other columns under
`raw.<name>`. Every projected field that changed becomes one entry {at, field, from, to, author}.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from csi_rules.records.vocabulary import UNMAPPED_PREFIX
from csi_rules_servicenow.mapping import APPROVALS, HOLD_REASONS, NormalizationTables
from csi_rules_servicenow.normalize import Cells
from csi_rules_servicenow.timefmt import iso

AUDIT_TABLE = "sys_audit"
AUDIT_FIELDS = ("sys_id", "documentkey", "fieldname", "oldvalue", "newvalue", "user",
                "sys_created_on", "record_checkpoint")
TRACKED = ("state", "incident_state", "priority", "impact", "urgency", "assignment_group",
           "assigned_to", "hold_reason", "on_hold", "on_hold_reason", "approval",
           "resolved_at", "closed_at", "category", "subcategory")
REFERENCES = {"assignment_group": "sys_user_group", "assigned_to": "sys_user"}
CHUNK = 100

ListPage = Callable[[str, Mapping[str, str]], tuple[list[dict[str, Any]], "int | None"]]
"""list_page(table, params) -> (rows, next sysparm_offset or None): TableClient.list_page."""
FetchAll = Callable[[str, str, tuple[str, ...]], list[dict[str, Any]]]
"""fetch_all(table, encoded_query, fields) -> every matching row."""
NameOf = Callable[[str, str], str]
"""name_of(reference column, sys_id) -> the name records show for it."""


def chunks(ids: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def audit_query(table: str, ids: Iterable[str]) -> str:
    return (f"tablename={table}^documentkeyIN{','.join(ids)}^fieldnameIN{','.join(TRACKED)}"
            "^ORDERBYsys_created_on^ORDERBYrecord_checkpoint^ORDERBYsys_id")


def read_audit(list_page: ListPage, table: str, ids: list[str],
               page_size: int) -> dict[str, list[dict[str, str]]]:
    """Audit rows of `ids` (records of `table`) grouped by record, oldest first."""
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for chunk in chunks(ids):
        params = {"sysparm_query": audit_query(table, chunk), "sysparm_limit": str(page_size),
                  "sysparm_fields": ",".join(AUDIT_FIELDS), "sysparm_display_value": "false",
                  "sysparm_exclude_reference_link": "true"}
        offset = 0
        while True:
            page = {**params, "sysparm_offset": str(offset)} if offset else params
            rows, following = list_page(AUDIT_TABLE, page)
            for row in rows:
                cells = Cells(row)
                grouped[cells.value("documentkey")].append(
                    {name: cells.value(name) for name in AUDIT_FIELDS})
            if following is None and len(rows) < page_size:
                break  # no next link and a short page: the end (also without a Link header)
            following = offset + len(rows) if following is None else following
            if following <= offset:
                break
            offset = following
    return grouped


def resolve_names(fetch_all: FetchAll, rows: Iterable[dict[str, str]],
                  known: dict[str, str]) -> None:
    """Add the names of the groups and users the rows reference to `known` (sys_id -> name)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        target = REFERENCES.get(row["fieldname"])
        if target:
            wanted[target].update(v for v in (row["oldvalue"], row["newvalue"])
                                  if v and v not in known)
    for target, ids in wanted.items():
        for chunk in chunks(sorted(ids)):
            for found in fetch_all(target, f"sys_idIN{','.join(chunk)}", ("sys_id", "name")):
                cells = Cells(found)
                known[cells.value("sys_id")] = cells.value("name") or cells.value("sys_id")


def entries(kind: str, table: str, rows: list[dict[str, str]], tables: NormalizationTables,
            name_of: NameOf) -> list[dict[str, Any]]:
    """History entries of one record from its audit rows (any order)."""
    ordered = sorted(enumerate(rows), key=lambda p: (p[1]["sys_created_on"],
                                                     _number(p[1]["record_checkpoint"]), p[0]))
    updates = _updates([row for _, row in ordered])
    values: dict[str, str] = {}
    for _, changes in updates:
        for field, old, _ in changes:
            values.setdefault(field, old)
    before = project(kind, table, values, tables, name_of)
    out: list[dict[str, Any]] = []
    for row, changes in updates:
        values.update({field: new for field, _, new in changes})
        after = project(kind, table, values, tables, name_of)
        at = iso(row["sys_created_on"])
        for field, value in after.items():
            if value != before.get(field) and at:
                entry = {"at": at, "field": field, "from": before.get(field), "to": value}
                if row["user"]:
                    entry["author"] = row["user"]
                out.append(entry)
        before = after
    return out


def _updates(rows: list[dict[str, str]]) -> list[tuple[dict[str, str], list[tuple[str, str, str]]]]:
    """Rows grouped by update (time and checkpoint): (first row, [(field, old, new)])."""
    groups: list[list[dict[str, str]]] = []
    for row in rows:
        key = (row["sys_created_on"], row["record_checkpoint"])
        if groups and (groups[-1][0]["sys_created_on"], groups[-1][0]["record_checkpoint"]) == key:
            groups[-1].append(row)
        else:
            groups.append([row])
    out = []
    for group in groups:
        has_state = any(r["fieldname"] == "state" for r in group)
        changes = [("state" if r["fieldname"] == "incident_state" else r["fieldname"],
                    r["oldvalue"], r["newvalue"]) for r in group
                   if not (has_state and r["fieldname"] == "incident_state")]
        out.append((group[0], changes))
    return out


def project(kind: str, table: str, values: Mapping[str, str], tables: NormalizationTables,
            name_of: NameOf) -> dict[str, Any]:
    """The record fields that the known raw values determine, as the normalizer shapes them."""
    out: dict[str, Any] = {}
    state = tables.state(table, values["state"]) if "state" in values else None
    if "state" in values:
        out["state"] = state
    if kind == "change" and "on_hold" in values:
        out["hold_reason"] = "other" if values["on_hold"] == "true" else None
    elif table == "incident" and "hold_reason" in values:
        code = values["hold_reason"]
        reason = HOLD_REASONS.get(code) or ("other" if code else None)
        if state == "on_hold":
            out["hold_reason"] = reason or "other"
        else:  # the record names a hold reason only while on hold
            out["hold_reason"] = None if "state" in values else reason
    for name, value in values.items():
        if name in ("state", "hold_reason") or (kind == "change" and name == "on_hold"):
            continue
        field, shaped = _shape(kind, name, value, tables, name_of)
        out[field] = shaped
    return out


def _shape(kind: str, name: str, value: str, tables: NormalizationTables,
           name_of: NameOf) -> tuple[str, Any]:
    if name == "priority":  # an unmapped code stays visible, as on the record's `unmapped`
        found = tables.priority(value)
        return name, found if found is not None or not value else f"{UNMAPPED_PREFIX}{value}"
    if name in ("impact", "urgency"):
        number = _number(value)
        return name, number if 1 <= number <= 3 else None
    if name in REFERENCES:
        field = "assignee" if name == "assigned_to" else name
        return field, name_of(name, value) if value else None
    if name in ("resolved_at", "closed_at"):
        try:
            return name, iso(value)
        except ValueError:
            return name, None
    if name in ("category", "subcategory"):
        return name, value or None
    if name == "approval" and kind in ("change", "request"):
        return name, APPROVALS.get(value)
    return f"raw.{name}", value


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
