"""What every action handler needs: the transport, site facts, config and the field catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from csi_rules.adapter import ActionResult
from csi_rules_jira.batch_reads import Snapshot
from csi_rules_jira.config import JiraConfig
from csi_rules_jira.site import SiteInfo
from csi_rules_jira.transport import Transport


@dataclass
class ActionContext:
    transport: Transport
    site: SiteInfo
    config: JiraConfig
    _field_schemas: dict[str, dict[str, Any]] | None = field(default=None, repr=False)
    _field_names: dict[str, str] = field(default_factory=dict, repr=False)
    users: dict[str, str] = field(default_factory=dict, repr=False)  # name -> accountId
    snapshot: Snapshot = field(default_factory=Snapshot, repr=False)  # the batch's read

    def issue_path(self, key: str, suffix: str = "") -> str:
        return f"{self.site.api}/issue/{quote(key)}{suffix}"

    def issue(self, key: str, fields: Sequence[str]) -> dict[str, Any]:
        """A fresh read of `fields`: idempotency is decided on the platform's state, not ours
        (the batch's read of them, batch_reads, until an action writes to the issue)."""
        known = self.snapshot.issue(key, fields)
        if known is not None:
            return known
        data: Any = self.transport.read(self.issue_path(key), {"fields": ",".join(fields)})
        return data or {}

    def is_service_desk(self, key: str) -> bool:
        return key.rsplit("-", 1)[0] in self.config.service_desk_projects

    def field_schema(self, field_id: str) -> dict[str, Any] | None:
        """The `schema` of a field from GET /field, read once per adapter."""
        self._load_fields()
        assert self._field_schemas is not None
        return self._field_schemas.get(field_id)

    def resolve_field(self, name: str) -> str:
        """A record field name from `field_map`, a Jira field id, or a Jira field's display name."""
        if name in self.config.field_map:
            return self.config.field_map[name]
        builtin = {"short_description": "summary", "description": "description",
                   "labels": "labels", "priority": "priority"}
        if name in builtin:
            return builtin[name]
        self._load_fields()
        assert self._field_schemas is not None
        if name in self._field_schemas:
            return name
        return self._field_names.get(name.casefold(), name)

    def _load_fields(self) -> None:
        if self._field_schemas is not None:
            return
        listing: Any = self.transport.read(f"{self.site.api}/field") or []
        self._field_schemas = {str(f["id"]): dict(f.get("schema") or {}) for f in listing}
        self._field_names = {str(f.get("name", "")).casefold(): str(f["id"]) for f in listing}


def applied(detail: str, ref: str = "", **extra: Any) -> ActionResult:
    return ActionResult("applied", detail, ref, extra)


def already(detail: str, ref: str = "") -> ActionResult:
    return ActionResult("already_applied", detail, ref)


def skipped(detail: str) -> ActionResult:
    return ActionResult("skipped", detail)


def failed(detail: str) -> ActionResult:
    return ActionResult("failed", detail)


def dry(detail: str) -> ActionResult:
    return ActionResult("skipped", f"dry run: would {detail}")
