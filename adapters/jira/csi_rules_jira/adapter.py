"""JiraAdapter: the csi-rules Adapter for Jira Cloud, Data Center and Jira Service Management."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from csi_rules.adapter import ActionRequest, ActionResult, RecordQuery
from csi_rules.capabilities import Capabilities
from csi_rules.change.lifecycle import ChangeRequest, CloseCode, Deployment, OpenedChange
from csi_rules.errors import RecordNotFound
from csi_rules.records import Record, parse_record
from csi_rules_jira import actions
from csi_rules_jira.actions.capabilities import for_config as action_capabilities
from csi_rules_jira.actions.context import ActionContext
from csi_rules_jira.batch_reads import compared_fields, issue_keys
from csi_rules_jira.changes import JiraChanges
from csi_rules_jira.config import JiraConfig
from csi_rules_jira.deployments import DeploymentTarget
from csi_rules_jira.jql import keys_jql, sync_jql
from csi_rules_jira.jsm import RequestTypes, request_approvals, request_slas
from csi_rules_jira.normalize import issue_to_record, requested_fields, status_mapper
from csi_rules_jira.search import search
from csi_rules_jira.site import SiteInfo, load_site
from csi_rules_jira.sync import SyncLedger, incremental
from csi_rules_jira.transport import Clock, Sleep, Transport

log = logging.getLogger("csi_rules_jira")
KEYS_PER_QUERY = 50


class JiraAdapter:
    """Reads issues as records and applies actions; one HTTP session, site facts read once."""

    name = "jira"

    def __init__(self, config: JiraConfig, *, sleep: Sleep, clock: Clock,
                 session: requests.Session | None = None):
        self.config = config
        self.transport = Transport(config.base_url, config.auth_header, sleep=sleep, clock=clock,
                                   timeout=config.timeout, max_retries=config.max_retries,
                                   max_retry_delay=config.max_retry_delay, session=session)
        self.ledger = SyncLedger.load(config.state_file) if config.state_file else SyncLedger()
        self._site: SiteInfo | None = None
        self._request_types = RequestTypes(self.transport)
        self._statuses = status_mapper(config)
        self._actions: ActionContext | None = None
        self.changes = JiraChanges(self.transport, lambda: self.site, config, clock, sleep)

    def __repr__(self) -> str:
        return f"JiraAdapter({self.config.base_url!r}, deployment={self.config.deployment!r})"

    @property
    def site(self) -> SiteInfo:
        if self._site is None:
            self._site = load_site(self.transport, self.config.deployment)
        return self._site

    # --- reading ---------------------------------------------------------------------------

    def fetch_records(self, query: RecordQuery) -> Iterator[Record]:
        """Issues as records. With `since` this is an incremental sync: each (key, updated)
        pair is yielded at most once per adapter (or per `state_file`)."""
        site = self.site
        fields = requested_fields(self.config)
        expand = "changelog" if self.config.changelog else ""
        page_size = self.config.page_size
        if query.ids:
            issues: Iterable[dict[str, Any]] = (
                issue for i in range(0, len(query.ids), KEYS_PER_QUERY)
                for issue in search(self.transport, site, keys_jql(query.ids[i:i + KEYS_PER_QUERY]),
                                    fields, page_size=page_size, expand=expand))
        else:
            jql = sync_jql(self.config.projects, self.config.jql, query.since, site.time_zone,
                           self.config.overlap_minutes)
            ledger = self.ledger if query.since is not None else SyncLedger()
            issues = incremental(
                lambda: search(self.transport, site, jql, fields, page_size=page_size,
                               expand=expand),
                ledger, since=query.since, overlap=timedelta(minutes=self.config.overlap_minutes))
        try:
            for issue in issues:
                if query.since is None and not query.ids:
                    self.ledger.add(str(issue.get("key")), str(issue["fields"].get("updated")))
                record = self._record(issue)
                if record is not None and (not query.kinds or record.kind in query.kinds):
                    yield record
        finally:
            self._save_state()

    def fetch_record(self, record_id: str) -> Record:
        fields = ",".join(requested_fields(self.config))
        params = {"fields": fields}
        if self.config.changelog:
            params["expand"] = "changelog"
        issue: Any = self.transport.read(f"{self.site.api}/issue/{quote(record_id)}", params)
        record = self._record(issue or {})
        if record is None:
            raise RecordNotFound(f"jira: issue {record_id} has an issue type mapped to no record "
                                 "kind (see kind_map/default_kind)", system="jira")
        return record

    def _record(self, issue: dict[str, Any]) -> Record | None:
        key = str(issue.get("key"))
        fields = issue.get("fields") or {}
        project = str((fields.get("project") or {}).get("key") or key.rsplit("-", 1)[0])
        jsm = project in self.config.service_desk_projects
        sla = request_slas(self.transport, key) if jsm and self.config.sla else None
        approvals = request_approvals(self.transport, key) if jsm and self.config.approvals \
            else None
        request_type = None
        if jsm:
            field_id = self.config.field_map.get("request_type", "")
            request_type = self._request_types.for_issue(key, fields.get(field_id))
        data = issue_to_record(issue, self.config, histories=self._histories(issue), sla=sla,
                               approvals=approvals, request_type=request_type,
                               statuses=self._statuses)
        if data is None:
            return None
        if not self.config.changelog:  # not read, so not known: SLA clocks say they estimate
            del data["history"]
            data["raw"]["history_unavailable"] = "changelog: false in the jira adapter settings"
        return parse_record(data, where=f"jira issue {key}")

    def _histories(self, issue: dict[str, Any]) -> list[dict[str, Any]]:
        """The whole changelog: what search embedded, plus the rest when it was cut short."""
        changelog = issue.get("changelog") or {}
        histories = list(changelog.get("histories") or ())
        total = int(changelog.get("total", len(histories)) or 0)
        if len(histories) >= total or self.site.deployment != "cloud":
            return histories
        histories = []
        start = 0
        path = f"{self.site.api}/issue/{quote(str(issue.get('key')))}/changelog"
        while True:
            page: Any = self.transport.read(path, {"startAt": start, "maxResults": 100}) or {}
            values = page.get("values") or []
            histories.extend(values)
            start += len(values)
            if not values or page.get("isLast", True):
                return histories

    # --- writing ---------------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        """What this adapter carries out with its settings (actions/capabilities.py)."""
        return action_capabilities(self.config)

    def apply_action(self, action: ActionRequest, record: Record, *, dry_run: bool) -> ActionResult:
        ctx = self._action_context()
        key = str(record.data.get("number") or record.id)
        try:
            result = actions.apply(ctx, action, key, dry_run)
        except BaseException:
            ctx.snapshot.wrote(key)  # a write may have landed: read the issue afresh
            raise
        if result.status not in ("already_applied", "skipped"):
            ctx.snapshot.wrote(key)
        return result

    def prepare(self, records: Sequence[Record], requests: Sequence[ActionRequest]) -> None:
        """Read once for the batch the fields its actions compare (batch_reads);
        `prepare((), ())` drops that read."""
        ctx = self._action_context()
        keys = issue_keys(records, requests)
        group = self.config.field_map.get("assignment_group", "")
        fields = {f for a in requests for f in compared_fields(a, group, ctx.resolve_field)}
        if not keys or not fields:
            ctx.snapshot.clear()
            return
        ctx.snapshot.fill(lambda jql, wanted: search(self.transport, self.site, jql, wanted,
                                                     page_size=self.config.page_size),
                          sorted(set(keys.values())), fields)

    def _action_context(self) -> ActionContext:
        if self._actions is None:
            self._actions = ActionContext(self.transport, self.site, self.config)
        return self._actions

    # --- the pipeline's change (changes.py, deployments.py) -------------------------------

    def fetch_change_schedule(self, start: datetime, end: datetime) -> Iterator[Record]:
        """Open change issues only (changes.py's JQL), not a sync of every issue, for the
        gate's schedule; change/platform.py keeps those whose windows matter."""
        issues = search(self.transport, self.site, self.changes.schedule_jql(),
                        requested_fields(self.config), page_size=self.config.page_size)
        for issue in issues:
            record = self._record(issue)
            if record is not None and record.kind == "change":
                yield record

    def open_change(self, request: ChangeRequest) -> OpenedChange:
        return self.changes.open_change(request)

    def record_deployment(self, change_id: str, deployment: Deployment) -> str:
        return self.changes.record_deployment(change_id, deployment)

    def close_change(self, change_id: str, code: CloseCode, notes: str, at: datetime) -> str:
        return self.changes.close_change(change_id, code, notes, at)

    def target_deployment(self, pipeline_id: str, environment: str, number: int,
                          environment_type: str | None = None) -> None:
        """Also report open/record to Jira Cloud's deployments API as this deployment."""
        kind = environment_type or self.changes.settings.deployments.environment_type
        self.changes.target = DeploymentTarget(pipeline_id, environment, number, kind)

    def deployment_changes(self, pipeline_id: str, environment_id: str,
                           number: int) -> list[str] | None:
        """Issues a stored Cloud deployment is associated with; None: no such deployment."""
        return self.changes.associated_issues(DeploymentTarget(pipeline_id, environment_id,
                                                               number))

    def issue_link(self, key: str) -> str:
        return f"{self.config.base_url}/browse/{quote(key)}"

    def close(self) -> None:
        self._save_state()
        self.changes.close()
        self.transport.close()

    def _save_state(self) -> None:
        if self.config.state_file:
            self.ledger.save(self.config.state_file)
