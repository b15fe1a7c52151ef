"""A Jira issue (REST v2 or v3 JSON) → the platform-neutral record dict.

Status, priority and issue type become record fields through the configured maps; custom
fields through `field_map` (record field → Jira field id); everything Jira said stays under
`raw` (`raw.fields` is the issue's fields untouched, `raw.sla` the JSM SLAs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from csi_rules.records.fields import FIELDS
from csi_rules.records.vocabulary import UNMAPPED_PREFIX, is_unmapped
from csi_rules_jira.adf import adf_to_text
from csi_rules_jira.config import DEFAULT_PRACTICE_MAP, JiraConfig
from csi_rules_jira.history import changelog_to_history
from csi_rules_jira.states import CATEGORY_NAMES, StatusMapper
from csi_rules_jira.timestamps import iso
from csi_rules_jira.values import boolean, change_type, level, risk, scalar, user_id

SYSTEM_FIELDS: tuple[str, ...] = (
    "summary", "description", "status", "priority", "issuetype", "project", "components",
    "labels", "assignee", "reporter", "created", "updated", "resolutiondate", "resolution",
    "issuelinks",
)
_CONVERTERS = {"impact": level, "urgency": level, "risk": risk, "change_type": change_type,
               "cab_required": boolean}


def requested_fields(config: JiraConfig) -> list[str]:
    """The explicit `fields` list for search: system fields plus every mapped custom field."""
    return list(dict.fromkeys([*SYSTEM_FIELDS, *config.field_map.values(),
                               *config.raw_fields.values()]))


def status_mapper(config: JiraConfig) -> StatusMapper:
    return StatusMapper(config.status_map, config.project_status_map)


def kind_of(config: JiraConfig, issuetype: str, practice: str | None) -> str | None:
    """JSM request-type practice first (change, incidents, ...), then the issue type map."""
    if practice and practice.lower() in DEFAULT_PRACTICE_MAP:
        return DEFAULT_PRACTICE_MAP[practice.lower()]
    return config.kind_map.get(issuetype, config.default_kind)


def issue_to_record(issue: Mapping[str, Any], config: JiraConfig, *,
                    histories: Sequence[Mapping[str, Any]] = (),
                    sla: Mapping[str, Any] | None = None,
                    approvals: Sequence[Mapping[str, Any]] | None = None,
                    request_type: Mapping[str, Any] | None = None,
                    statuses: StatusMapper | None = None) -> dict[str, Any] | None:
    """The record dict for `issue`, or None when its issue type maps to no record kind.

    `statuses` maps status names to record states; the adapter passes one that lives as long as
    it does, so status categories seen on issues also place statuses met only in changelogs."""
    f: Mapping[str, Any] = issue.get("fields") or {}
    issuetype = str((f.get("issuetype") or {}).get("name") or "")
    practice = (request_type or {}).get("practice")
    kind = kind_of(config, issuetype, practice)
    if kind is None:
        return None
    status = f.get("status") or {}
    statuses = statuses or status_mapper(config)
    statuses.learn(status)
    project = str((f.get("project") or {}).get("key") or str(issue.get("key", "")).rsplit("-", 1)[0])
    state = statuses.state(kind, project, status.get("name"))
    priority_name = (f.get("priority") or {}).get("name")
    priority = config.priority_map.get(priority_name) if priority_name else None
    unmapped = {"state": status.get("name")} if is_unmapped(state) else {}
    if priority_name and priority is None:
        unmapped["priority"] = priority_name
    category = (status.get("statusCategory") or {}).get("key")
    components = [c.get("name") for c in f.get("components") or () if c.get("name")]
    record: dict[str, Any] = {
        "id": str(issue.get("id")), "number": issue.get("key"), "platform": "jira",
        "kind": kind, "state": state, "priority": priority,
        "status_category": CATEGORY_NAMES.get(str(category)) if category else None,
        "hold_reason": statuses.hold_reason(state, status.get("name")),
        "resolution_code": (f.get("resolution") or {}).get("name"),
        "unmapped": unmapped or None,
        "short_description": f.get("summary"),
        "description": adf_to_text(f.get("description")) or None,
        "caller": user_id(f.get("reporter")), "assignee": user_id(f.get("assignee")),
        "labels": list(f.get("labels") or []), "configuration_items": components,
        "opened_at": iso(f.get("created")), "updated_at": iso(f.get("updated")),
        "resolved_at": iso(f.get("resolutiondate")),
    }
    _apply_field_map(record, f, config, kind)
    if approvals is not None and kind in FIELDS["approval"].kinds:
        record["approval"] = approval_state(approvals)
    custom_names = {fid: name for name, fid in config.field_map.items()}
    record["history"] = changelog_to_history(
        histories, status_name=lambda s: statuses.state(kind, project, s),
        priority_value=lambda p: _priority_in_history(config, p),
        custom_names=custom_names)
    record["raw"] = {
        "key": issue.get("key"), "project": (f.get("project") or {}).get("key"),
        "issuetype": issuetype, "status": status.get("name"),
        "status_category": (status.get("statusCategory") or {}).get("key"),
        "priority": priority_name, "resolution": (f.get("resolution") or {}).get("name"),
        "components": components, "request_type": (request_type or {}).get("name"),
        "practice": practice, "sla": dict(sla or {}), "approvals": list(approvals or []),
        "links": _links(f.get("issuelinks") or ()), "fields": dict(f),
        # a site's own fields under the names policies use for them (raw_fields)
        **{name: scalar(f.get(fid)) for name, fid in config.raw_fields.items()
           if f.get(fid) is not None},
    }
    return {k: v for k, v in record.items() if v is not None}


def _apply_field_map(record: dict[str, Any], fields: Mapping[str, Any], config: JiraConfig,
                     kind: str) -> None:
    for name, field_id in config.field_map.items():
        spec = FIELDS.get(name)
        if spec is None or spec.derived or name in ("id", "kind", "raw") or kind not in spec.kinds:
            continue
        value = fields.get(field_id)
        if value is None:
            continue
        converter = _CONVERTERS.get(name)
        if converter is not None:
            converted: Any = converter(value)
        elif spec.type == "datetime":
            converted = iso(scalar(value))
        elif spec.type == "string[]":
            items = scalar(value)
            converted = [str(v) for v in (items if isinstance(items, list) else [items])]
        elif spec.type == "integer":
            converted = _int(scalar(value))
        else:
            text = scalar(value)
            converted = None if text is None else str(text)
        if converted is not None:
            record[name] = converted


def _priority_in_history(config: JiraConfig, name: Any) -> int | str | None:
    """A changelog priority name as 1..5, or `code:<name>` so an unmapped one stays visible."""
    if not name:
        return None
    found = config.priority_map.get(str(name))
    return found if found is not None else f"{UNMAPPED_PREFIX}{name}"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def approval_state(approvals: Sequence[Mapping[str, Any]]) -> str:
    """not_requested / requested / approved / rejected, from the normalized JSM approvals."""
    if not approvals:
        return "not_requested"
    if any(a.get("final_decision") == "pending" for a in approvals):
        return "requested"
    last = approvals[-1].get("final_decision")
    return {"approved": "approved", "declined": "rejected"}.get(str(last), "requested")


def _links(links: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for link in links:
        kind = (link.get("type") or {}).get("name")
        if "outwardIssue" in link:
            out.append({"type": kind, "direction": "outward",
                        "issue": link["outwardIssue"].get("key")})
        if "inwardIssue" in link:
            out.append({"type": kind, "direction": "inward",
                        "issue": link["inwardIssue"].get("key")})
    return out
