"""A pipeline's change on Jira / JSM: open it, record the deployment, close it.

Opening is idempotent per pipeline run: the change carries the label
`<run_label_prefix><run id>`, and `open` searches for it before it creates anything, so a
retried job gets the change it opened (created=False). Writes are sent once (STYLE: made
idempotent, never blindly retried): a step already taken is skipped, a comment already
posted for the same step and build is not posted again.

Statuses move by the workflow's own transitions, found by the status they lead to (the
`steps` of change_settings.py); a step the workflow does not allow from where the issue is
(deploying an unapproved change) is an error naming the transitions it does allow.
On Cloud, given a deployment target, the same events go to the deployments API
(deployments.py): pending when the change opens, then in_progress, successful or failed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from csi_rules.change.lifecycle import ChangeRequest, CloseCode, Deployment, OpenedChange
from csi_rules.errors import AdapterError, UsageError
from csi_rules_jira import deployments
from csi_rules_jira.actions.comment import comment_body, find_comment
from csi_rules_jira.actions.context import ActionContext
from csi_rules_jira.adf import text_to_adf
from csi_rules_jira.change_settings import ChangeSettings
from csi_rules_jira.config import JiraConfig, _check_base_url
from csi_rules_jira.deployments import DeploymentTarget
from csi_rules_jira.jql import quote as jql_quote
from csi_rules_jira.search import search
from csi_rules_jira.secrets import Secret, default_environ, read_secret
from csi_rules_jira.site import SiteInfo
from csi_rules_jira.transport import Transport

Clock = Callable[[], datetime]


def run_label(prefix: str, run_id: str) -> str:
    """A Jira label for the run: no spaces; other characters replaced, with a short hash so
    two run ids that differ only there stay apart."""
    clean = re.sub(r"[^A-Za-z0-9._-]", "-", run_id.strip())
    if clean != run_id or len(prefix + clean) > 255:
        clean = f"{clean[:200]}-{hashlib.sha256(run_id.encode()).hexdigest()[:8]}"
    return prefix + clean


def jira_time(at: datetime) -> str:
    """`2026-03-02T10:00:00.000+0000`: the datetime custom fields' format."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class JiraChanges:
    """The `ChangeLifecycle` of the Jira adapter (adapter.py delegates to it)."""

    def __init__(self, transport: Transport, site: Callable[[], SiteInfo], config: JiraConfig,
                 clock: Clock, sleep: Callable[[float], None]):
        self.transport = transport
        self._site = site
        self.config = config
        self.settings: ChangeSettings = config.changes or ChangeSettings(project="")
        self.clock = clock
        self._sleep = sleep
        self._deploy: Transport | None = None
        self.target: DeploymentTarget | None = None

    @property
    def site(self) -> SiteInfo:
        return self._site()

    # --- open ------------------------------------------------------------------------------

    def find_run(self, run_id: str) -> dict[str, Any] | None:
        label = run_label(self.settings.run_label_prefix, run_id)
        jql = (f"project = {jql_quote(self.settings.project)} AND labels = {jql_quote(label)} "
               "ORDER BY created ASC")
        for issue in search(self.transport, self.site, jql, ["status", "summary"], page_size=1):
            return issue
        return None

    def open_change(self, request: ChangeRequest) -> OpenedChange:
        if not self.settings.project:
            raise UsageError("the jira adapter opens changes only with a 'changes:' section "
                             "in its config (changes.project at least)")
        if self.target is not None:
            self.deployments_transport()  # Data Center has none: say so before any write
        found = self.find_run(request.run_id)
        if found is None:
            created: Any = self.transport.write("POST", f"{self.site.api}/issue",
                                                {"fields": self._fields(request)})
            key, issue_id, fresh = str(created["key"]), str(created["id"]), True
        else:
            key, issue_id, fresh = str(found["key"]), str(found["id"]), False
        status = (found or {}).get("fields", {}).get("status") or {}
        if fresh or (status.get("statusCategory") or {}).get("key") == "new":
            self._walk(key, self.settings.steps[request.change_type])  # an interrupted open
        if self.target is not None and (fresh or self.associated_issues(self.target) is None):
            # pending once: a retry must not set back a deployment already under way
            self._submit(key, "pending", self.clock(), request.short_description, "")
        return OpenedChange(issue_id, key, created=fresh)

    def _fields(self, request: ChangeRequest) -> dict[str, Any]:
        s, f, fmap = self.settings, request.fields, self.config.field_map
        cloud = self.site.deployment == "cloud"
        text = (lambda t: text_to_adf(t)) if cloud else (lambda t: t)
        fields: dict[str, Any] = {
            "project": {"key": s.project}, "issuetype": {"name": s.issue_type},
            "summary": request.short_description,
            "labels": [run_label(s.run_label_prefix, request.run_id)],
        }
        description = str(f.get("description") or "")
        if f.get("model"):
            description = f"{description}\nChange model: {f['model']}".strip()
        for name in ("implementation_plan", "test_plan", "backout_plan"):
            if f.get(name) and name not in fmap:  # no field for it: keep it in the description
                description += f"\n\n{name.replace('_', ' ').capitalize()}: {f[name]}"
        if description.strip():
            fields["description"] = text(description.strip())
        wanted: dict[str, Any] = {"change_type": {"value": s.change_type_values[request.change_type]}}
        if f.get("risk"):
            wanted["risk"] = {"value": s.risk_values[str(f["risk"])]}
        for name in ("planned_start", "planned_end"):
            if isinstance(f.get(name), datetime):
                wanted[name] = jira_time(f[name])
        for name in ("implementation_plan", "test_plan", "backout_plan"):
            if f.get(name):
                wanted[name] = text(str(f[name]))
        if f.get("assignment_group"):
            wanted["assignment_group"] = {"name": str(f["assignment_group"])}
        for name, value in wanted.items():
            if name in fmap:
                fields[fmap[name]] = value
        cis = f.get("configuration_items") or []
        if cis:  # components are what the adapter reads back as configuration_items
            fields["components"] = [{"name": str(ci)} for ci in cis]
        return fields

    def schedule_jql(self) -> str:
        """Change issues not yet done in the adapter's projects: the gate's schedule. Windows
        are compared by the caller (change/platform.py): JQL on a site's date fields differs
        from site to site, and a change with no window must be seen too."""
        types = sorted({name for name, kind in self.config.kind_map.items() if kind == "change"}
                       | {self.settings.issue_type})
        return (f"project in ({', '.join(jql_quote(p) for p in self.config.projects)}) AND "
                f"issuetype in ({', '.join(jql_quote(t) for t in types)}) AND "
                "statusCategory != Done ORDER BY key ASC")

    # --- record and close ------------------------------------------------------------------

    def record_deployment(self, change_id: str, deployment: Deployment) -> str:
        if self.target is not None:
            self.deployments_transport()  # Data Center has none: say so before any write
        issue = self._issue(change_id)
        key = str(issue["key"])
        self._walk(key, self.settings.steps[deployment.phase])  # refused: nothing is written
        self._comment(key, deployment.note(),
                      f"change-record:{deployment.phase}:{deployment.build_url or deployment.at}")
        if self.target is not None:
            summary = str((issue.get("fields") or {}).get("summary") or "")
            self._submit(key, deployment.phase, deployment.at, summary, deployment.build_url)
        return key

    def close_change(self, change_id: str, code: CloseCode, notes: str, at: datetime) -> str:
        key = str(self._issue(change_id)["key"])
        text = f"Change closed ({code}) at {at.isoformat()} (csi-rules change close)"
        self._walk(key, self.settings.steps[code], resolution=self.settings.resolutions[code])
        self._comment(key, f"{text}\n{notes}" if notes else text, f"change-close:{code}")
        return key

    def _issue(self, change_id: str) -> dict[str, Any]:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*-\d+|\d+", change_id):
            raise UsageError(f"{change_id!r} is not a Jira issue key (CHG-12) or id")
        issue: Any = self.transport.read(f"{self.site.api}/issue/{quote(change_id)}",
                                         {"fields": "status,summary,project"})
        return dict(issue or {})

    def _walk(self, key: str, path: tuple[str, ...], resolution: str = "") -> None:
        """Take the issue through each status of `path` in turn; a status it is already in is
        skipped (so a repeated step changes nothing)."""
        for i, status in enumerate(path):
            available: Any = self.transport.read(f"{self.site.api}/issue/{quote(key)}/transitions")
            current: Any = self.transport.read(f"{self.site.api}/issue/{quote(key)}",
                                               {"fields": "status"})
            now = str(((current or {}).get("fields") or {}).get("status", {}).get("name", ""))
            if now.casefold() == status.casefold():
                continue
            options = (available or {}).get("transitions") or []
            match = next((t for t in options if str((t.get("to") or {}).get("name", ""))
                          .casefold() == status.casefold()), None)
            if match is None:
                offered = ", ".join(f"{t.get('name')} -> {(t.get('to') or {}).get('name')}"
                                    for t in options) or "none"
                raise AdapterError(f"jira: {key} is in status {now!r}; its workflow offers no "
                                   f"transition to {status!r} (available: {offered})",
                                   system="jira", status=400)
            body: dict[str, Any] = {"transition": {"id": str(match["id"])}}
            if resolution and i == len(path) - 1:
                body["fields"] = {"resolution": {"name": resolution}}
            self.transport.write("POST", f"{self.site.api}/issue/{quote(key)}/transitions", body)

    def _comment(self, key: str, text: str, idempotency_key: str) -> None:
        """An internal comment, posted once per key, exactly as the `comment` action posts one
        (ADF on Cloud, wiki text on Data Center, the idempotency key as a comment property)."""
        ctx = ActionContext(self.transport, self.site, self.config)
        if find_comment(ctx, key, idempotency_key) is None:
            self.transport.write("POST", ctx.issue_path(key, "/comment"),
                                 comment_body(ctx, key, text, "internal", idempotency_key))

    # --- the deployments API (Cloud) -------------------------------------------------------

    def deployments_transport(self) -> Transport:
        if self.site.deployment != "cloud":
            raise UsageError("Jira Data Center has no deployments API: drop --pipeline, "
                             "--environment and --deployment-number")
        if self._deploy is None:
            d = self.settings.deployments
            url = d.url or f"{self.config.base_url}/rest/deployments/0.1"
            loopback_ok = self.config.base_url.startswith("http://")  # already checked as such
            url = _check_base_url(url.rstrip("/"), loopback_ok)
            header = self.config.auth_header
            if d.token_env:
                token = read_secret({"token_env": d.token_env}, "token", default_environ())
                header = Secret(f"Bearer {token.reveal()}")
            self._deploy = Transport(url, header, sleep=self._sleep, clock=self.clock,
                                     timeout=self.config.timeout,
                                     max_retries=self.config.max_retries,
                                     max_retry_delay=self.config.max_retry_delay)
        return self._deploy

    def _submit(self, key: str, phase: str, at: datetime, summary: str, build_url: str) -> None:
        assert self.target is not None
        target = self.target if self.target.url or not build_url else DeploymentTarget(
            self.target.pipeline_id, self.target.environment, self.target.number,
            self.target.environment_type, build_url)
        data = deployments.deployment_data(target, key, phase, at, summary,
                                           f"{self.config.base_url}/browse/{key}")
        deployments.submit(self.deployments_transport(), data)

    def associated_issues(self, target: DeploymentTarget) -> list[str] | None:
        return deployments.associated_issues(self.deployments_transport(), target)

    def close(self) -> None:
        if self._deploy is not None:
            self._deploy.close()
