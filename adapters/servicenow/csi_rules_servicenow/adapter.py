"""The ServiceNow adapter: csi_rules.adapter.Adapter over the Table API."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import requests

from csi_rules.adapter import ActionRequest, ActionResult, RecordQuery
from csi_rules.capabilities import Capabilities
from csi_rules.change.lifecycle import ChangeRequest, CloseCode, Deployment, OpenedChange
from csi_rules.errors import RecordNotFound
from csi_rules.records import Record
from csi_rules_servicenow import actions, change_management, changes, history, related
from csi_rules_servicenow.actions.capabilities import capabilities as action_capabilities
from csi_rules_servicenow.actions.handlers import ActionRefused, Target
from csi_rules_servicenow.actions.snapshot import Snapshot
from csi_rules_servicenow.client import TableClient
from csi_rules_servicenow.config import Settings
from csi_rules_servicenow.errors import (
    SYSTEM,
    ServiceNowConfigError,
    ServiceNowForbidden,
    ServiceNowRequestError,
)
from csi_rules_servicenow.normalize import fields_for, to_record
from csi_rules_servicenow.sync import SyncState, sync_table

log = logging.getLogger("csi_rules_servicenow")
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
# Answers that reading again will not change (ACL, table not exposed): the fetch goes on without.
PERMANENT = (ServiceNowForbidden, ServiceNowRequestError, RecordNotFound)
NUMBER_PREFIXES = {"INC": "incident", "CHG": "change", "PRB": "problem", "RITM": "request"}


class ServiceNowAdapter:
    name = "servicenow"

    def __init__(self, settings: Settings, *, clock: Callable[[], float],
                 sleep: Callable[[float], None], session: requests.Session | None = None,
                 sync_state: SyncState | None = None):
        self.settings = settings
        self.client = TableClient(settings, clock=clock, sleep=sleep, session=session)
        self.sync_state = sync_state or SyncState()
        self._refs: dict[tuple[str, str], str] = {}
        self._names: dict[str, str] = {}  # group / user sys_id -> name, for history entries
        self._history_denied: str | None = None  # why sys_audit is unreadable, per fetch
        self._warned: set[str] = set()
        self._snapshot: Snapshot | None = None  # the current batch's reads (prepare)

    # -- reading ---------------------------------------------------------------------------
    def fetch_records(self, query: RecordQuery) -> Iterator[Record]:
        """Records of `query.kinds` changed since `query.since` (see sync.py), or `query.ids`."""
        self._history_denied = None
        for kind in query.kinds:
            table = self._table(kind)
            extra = self.settings.extra_fields.get(kind, ()) + tuple(getattr(query, "fields", ()))
            fields = ",".join(fields_for(kind, extra))
            if query.ids:
                pages: Iterator[list[dict[str, Any]]] = iter(
                    [self._all(table, f"sys_idIN{','.join(query.ids)}^ORDERBYsys_id", fields)])
            else:
                pages = sync_table(
                    table, partial(self._page, table, fields=fields), self.sync_state,
                    base=self.settings.filters.get(kind, ""), since=query.since,
                    overlap=timedelta(seconds=self.settings.overlap_seconds),
                    page_size=self.settings.page_size)
            for page in pages:
                yield from self._records(kind, table, page)

    def fetch_record(self, record_id: str) -> Record:
        """One record by sys_id (any configured kind) or by number (INC0010001, CHG..., ...)."""
        kinds = list(self.settings.kind_tables)
        self._history_denied = None
        if not SYS_ID.match(record_id):
            prefix = re.match(r"^[A-Z]+", record_id)
            kind = NUMBER_PREFIXES.get(prefix.group(0) if prefix else "")
            kinds = [kind] if kind else kinds
        for kind in kinds:
            table = self._table(kind)
            column = "sys_id" if SYS_ID.match(record_id) else "number"
            extra = self.settings.extra_fields.get(kind, ())  # as a sync reads them
            rows = self._all(table, f"{column}={record_id}", ",".join(fields_for(kind, extra)))
            if rows:
                return next(iter(self._records(kind, table, rows[:1])))
        raise RecordNotFound(f"ServiceNow has no record {record_id}", system=SYSTEM, status=404)

    def fetch_schedules(self, query: str = "") -> list[dict[str, Any]]:
        """Maintenance and blackout schedules with their spans (cmn_schedule, cmn_schedule_span)."""
        return related.schedules(self._fetch_all, query)

    def fetch_change_schedule(self, start: datetime, end: datetime) -> Iterator[Record]:
        """Open changes whose planned windows overlap [start, end), or that have none yet."""
        table = self._table("change")
        fields = ",".join(fields_for("change", self.settings.extra_fields.get("change", ())))
        rows = self._all(table, changes.schedule_query(start, end) + "^ORDERBYsys_id", fields)
        yield from self._records("change", table, rows)

    # -- the pipeline's change (changes.py) ------------------------------------------------
    def _lifecycle(self) -> Any:
        """changes.py (Table API) or change_management.py (sn_chg_rest), per `change_api`."""
        return change_management if self.settings.change_api == "change_management" else changes

    def open_change(self, request: ChangeRequest) -> OpenedChange:
        return self._lifecycle().open_change(self.client, request)

    def record_deployment(self, change_id: str, deployment: Deployment) -> str:
        return str(self._lifecycle().record_deployment(self.client, change_id, deployment))

    def close_change(self, change_id: str, code: CloseCode, notes: str, at: datetime) -> str:
        return str(self._lifecycle().close_change(self.client, change_id, code, notes, at))

    # -- acting ----------------------------------------------------------------------------
    def prepare(self, records: Sequence[Record], requests: Sequence[ActionRequest]) -> None:
        """Read once for the batch what its actions compare (actions/snapshot.py); called
        again with nothing after the batch, which drops the snapshot."""
        self._snapshot = None
        by_id = {r.id: r for r in records}
        planned = []
        for request in requests:
            record = by_id.get(request.record_id)
            if record is not None and record.kind in self.settings.kind_tables:
                planned.append((self._target(request, record), request.type, request.params))
        if planned:
            self._snapshot = actions.prepare(self.client, planned)

    def apply_action(self, action: ActionRequest, record: Record, *,
                     dry_run: bool) -> ActionResult:
        target = self._target(action, record)
        target.snapshot = self._snapshot
        return actions.apply(self.client, target, action.type, action.params, dry_run=dry_run)

    def _target(self, action: ActionRequest, record: Record) -> Target:
        return Target(self._table(record.kind), record.id, action.idempotency_key,
                      self.settings.tables, self._find, self.settings.journal_check,
                      author=self.settings.credentials.username,
                      since=action.decided_at, fresh=action.fresh)

    def capabilities(self) -> Capabilities:
        """What this adapter carries out (actions/capabilities.py); known without a connection."""
        return action_capabilities()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ServiceNowAdapter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ServiceNowAdapter({self.settings!r})"

    # -- helpers ---------------------------------------------------------------------------
    def _table(self, kind: str) -> str:
        try:
            return self.settings.kind_tables[kind]
        except KeyError:
            raise ServiceNowConfigError(f"no table configured for record kind {kind!r}") from None

    def _params(self, query: str, limit: int, fields: str, offset: int = 0) -> dict[str, str]:
        params = {"sysparm_query": query, "sysparm_limit": str(limit), "sysparm_fields": fields,
                  "sysparm_display_value": self.settings.display_value,
                  "sysparm_exclude_reference_link": "true",
                  "sysparm_suppress_pagination_header": "true", "sysparm_no_count": "true"}
        if offset:
            params["sysparm_offset"] = str(offset)
        return params

    def _page(self, table: str, query: str, limit: int, *, fields: str) -> list[dict[str, Any]]:
        rows, _ = self.client.list(table, self._params(query, limit, fields))
        return rows

    def _all(self, table: str, query: str, fields: str) -> list[dict[str, Any]]:
        """Every row of a small result, paged by offset (used for ids and related rows)."""
        size, out = self.settings.page_size, list[dict[str, Any]]()
        while True:
            rows, _ = self.client.list(table, self._params(query, size, fields, len(out)))
            out.extend(rows)
            if len(rows) < size:
                return out

    def _fetch_all(self, table: str, query: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        return self._all(table, query, ",".join(fields))

    def _records(self, kind: str, table: str, page: list[dict[str, Any]]) -> Iterator[Record]:
        extras: dict[str, dict[str, Any]] = {}
        ids = [str(r.get("sys_id", {}).get("value") if isinstance(r.get("sys_id"), dict)
                   else r.get("sys_id", "")) for r in page]
        for name, fetch in (("task_sla", related.task_slas), ("approvals", related.approvals)):
            if name in self.settings.include:
                for sys_id, rows in fetch(self._fetch_all, ids).items():
                    extras.setdefault(sys_id, {})[name] = rows
        histories, unavailable = self._histories(kind, table, ids)
        for sys_id, row in zip(ids, page, strict=True):
            extra = {n: extras.get(sys_id, {}).get(n, []) for n in self.settings.include}
            if unavailable:
                extra["history_unavailable"] = unavailable
            record = to_record(kind, table, row, self.settings.tables, extra)
            if histories is not None:  # entries are built well-formed (history.entries)
                record.data["history"] = histories.get(sys_id, [])
            yield record

    def _histories(self, kind: str, table: str, ids: list[str]
                   ) -> tuple[dict[str, list[dict[str, Any]]] | None, str | None]:
        """History entries per sys_id, or (None, why) when the audit log cannot be read.

        A permanent refusal (403 ACL, 400) leaves the records without history, marked, and is
        not asked again in this fetch; a transient failure (5xx, timeouts after retries) fails
        the fetch like any read, so no record goes out with a history that is merely missing.
        """
        if not self.settings.history or not ids:
            return None, None
        if self._history_denied:
            return None, self._history_denied
        try:
            rows = history.read_audit(self.client.list_page, table, ids,
                                      self.settings.history_page_size)
        except PERMANENT as exc:
            self._history_denied = f"{history.AUDIT_TABLE} cannot be read: {exc}"
            self._warn_once(f"records have no field history: {self._history_denied}")
            return None, self._history_denied
        name_of = self._name_of([r for found in rows.values() for r in found])
        return {sys_id: history.entries(kind, table, found, self.settings.tables, name_of)
                for sys_id, found in rows.items()}, None

    def _name_of(self, rows: list[dict[str, str]]) -> history.NameOf:
        """Group and user names for audit values, as the records show them (display values)."""
        if self.settings.display_value == "false":  # records carry sys_ids: so does history
            return lambda column, value: value
        try:
            history.resolve_names(self._fetch_all, rows, self._names)
        except PERMANENT as exc:
            self._warn_once(f"history keeps sys_ids for groups and users: {exc}")
        return lambda column, value: self._names.get(value, value)

    def _warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            log.warning("%s", message)

    def _find(self, kind: str, name: str) -> str:
        """sys_id of a group (by name) or user (by user_name or name); cached per adapter."""
        if "^" in name or "," in name:
            raise ActionRefused(f"{kind} name {name!r} contains a character ServiceNow queries "
                                "cannot carry")
        key = (kind, name)
        if key not in self._refs:
            table, query = (("sys_user_group", f"name={name}") if kind == "group"
                            else ("sys_user", f"user_name={name}^ORname={name}"))
            rows, _ = self.client.list(table, {"sysparm_query": query, "sysparm_fields": "sys_id",
                                               "sysparm_limit": "2"})
            if len(rows) != 1:
                found = "no" if not rows else "more than one"
                raise ActionRefused(f"ServiceNow has {found} {kind} named {name!r}")
            self._refs[key] = str(rows[0]["sys_id"])
        return self._refs[key]
