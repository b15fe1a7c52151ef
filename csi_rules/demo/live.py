"""The live part of the demo: emulators and notification receivers on loopback, one runner
cycle, gates and conflicts.

Only the plugin registries are used, exactly as for real platforms: the core imports nothing
from the adapters. Emulator credentials are emulator-only demo values put into this process's
environment, never into files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from csi_rules.adapter import RecordQuery
from csi_rules.demo.inbox import Delivered, Inbox, inbox
from csi_rules.demo.incoming import open_network_incident
from csi_rules.plugins import Plugins
from csi_rules.records.model import Record
from csi_rules.runtime import CycleReport, ManualClock, Runner, parse_config

DEMO_SECRETS = {"CSI_DEMO_SN_PASSWORD": "admin", "CSI_DEMO_JIRA_TOKEN": "emulator-api-token"}


def adapter_settings(name: str, url: str) -> dict[str, Any]:
    """Settings that point an adapter at its emulator (see the adapters' READMEs)."""
    if name == "servicenow":
        return {"url": url, "allow_insecure_loopback": True,
                "auth": {"type": "basic", "username": "admin",
                         "password_env": "CSI_DEMO_SN_PASSWORD"}}
    return {"base_url": url, "allow_insecure_loopback": True,
            "auth": {"email": "mia@example.com", "token_env": "CSI_DEMO_JIRA_TOKEN"},
            "projects": ["ITSM", "OPS"], "service_desk_projects": ["ITSM"],
            "field_map": JIRA_FIELDS}


JIRA_FIELDS = {  # the custom fields of the Jira emulator's seed (GET /rest/api/3/field)
    "impact": "customfield_10050", "urgency": "customfield_10051",
    "assignment_group": "customfield_10060", "change_type": "customfield_10070",
    "risk": "customfield_10071", "planned_start": "customfield_10072",
    "planned_end": "customfield_10073", "backout_plan": "customfield_10074",
    "service": "customfield_10080", "request_type": "customfield_10010",
}


KINDS = {"servicenow": ["incident", "change", "problem"], "jira": ["incident", "request", "change"]}
# What the runner acts on: as examples/runner.yaml, Jira changes are left out, since JSM opens
# change approvals from its workflow and the CAB routes' request_approval cannot be carried out
# there (`csi-rules run` refuses such a config). The gates still read Jira changes (KINDS).
RUN_KINDS = {**KINDS, "jira": ["incident", "request"]}


@dataclass
class LiveRun:
    """What one demo cycle did, for the report."""

    urls: dict[str, str]
    cycle: CycleReport
    audit: list[dict[str, Any]]
    records: dict[str, Record] = field(default_factory=dict)  # by label, as read after the cycle
    config_path: str = ""
    delivered: Delivered = field(default_factory=Delivered)  # at the loopback receivers
    opened: str = ""  # the incident the demo opened before the cycle

    @property
    def changes(self) -> list[Record]:
        return [r for r in self.records.values() if r.kind == "change"]


@contextmanager
def emulators(plugins: Plugins, now: datetime) -> Iterator[dict[str, str]]:
    """Start every registered emulator the demo knows on a free port; stop them after.

    Their clock stands at `now`, the runner's instant, and their seeds are shifted to it (the
    newest ticket an hour old), so SLA clocks and escalation ladders read like a live desk
    instead of counting the years since the samples were exported."""
    with ExitStack() as stack:
        urls = {}
        for name in ("servicenow", "jira"):
            if name not in plugins.emulators:
                continue
            emulator = plugins.emulators.get(name)(host="127.0.0.1", port=0, seed_dir=None,
                                                   shift_to_now=True, clock=lambda: now)
            emulator.start()
            stack.callback(emulator.stop)
            urls[name] = emulator.url
        yield urls


def run_cycle(plugins: Plugins, policies: Path, now: datetime, urls: dict[str, str],
              workdir: Path, receivers: Inbox | None = None) -> LiveRun:
    config = {
        "apiVersion": "csi-rules/v1", "kind": "RunnerConfig",
        "policies": [str(policies.resolve())],
        "state": {"database": str(workdir / "state.db")},
        "pollInterval": "1m",
        "backlog": "act",  # the demo shows what the runner does now about each open ticket
        "adapters": [{"name": n, "kinds": RUN_KINDS[n], "settings": adapter_settings(n, u)}
                     for n, u in urls.items()],
        **({"channels": receivers.channels()} if receivers else {}),
    }
    text = yaml.safe_dump(config, sort_keys=False)
    (workdir / "runner.yaml").write_text(text, encoding="utf-8")  # for `status`/`log` afterwards
    parsed = parse_config(text, str(workdir / "runner.yaml"))
    os.environ.update(DEMO_SECRETS)
    os.environ.update(receivers.secrets() if receivers else {})
    with Runner(parsed, clock=ManualClock(now), plugins=plugins) as runner:
        cycle = runner.run_once()
        audit = [dict(row.entry) for row in runner.store.audit()]
        records = {r.label: r for name, adapter in runner.adapters.items()
                   for r in adapter.fetch_records(RecordQuery(kinds=tuple(KINDS[name])))}
    delivered = receivers.delivered() if receivers else Delivered()
    return LiveRun(urls, cycle, audit, records, str(workdir / "runner.yaml"), delivered)


def live_demo(plugins: Plugins, policies: Path, now: datetime) -> LiveRun | None:
    """None when no emulator plugin is installed (the offline part still ran)."""
    workdir = Path(tempfile.mkdtemp(prefix="csi-rules-demo-"))
    with emulators(plugins, now) as urls, inbox() as receivers:
        if not urls:
            return None
        opened = open_network_incident(urls["servicenow"], now) if "servicenow" in urls else ""
        run = run_cycle(plugins, policies, now, urls, workdir, receivers)
        run.opened = opened
        return run
