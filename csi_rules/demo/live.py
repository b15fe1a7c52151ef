"""The live part of the demo: emulators on loopback, one runner cycle, gates and conflicts.

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
            "auth": {"email": "mia@example.com",
                                      "token_env": "CSI_DEMO_JIRA_TOKEN"},
            "projects": ["ITSM", "OPS"], "service_desk_projects": ["ITSM"]}


KINDS = {"servicenow": ["incident", "change", "problem"], "jira": ["incident", "request", "change"]}


@dataclass
class LiveRun:
    """What one demo cycle did, for the report."""

    urls: dict[str, str]
    cycle: CycleReport
    audit: list[dict[str, Any]]
    changes: list[Record] = field(default_factory=list)
    config_path: str = ""


@contextmanager
def emulators(plugins: Plugins) -> Iterator[dict[str, str]]:
    """Start every registered emulator the demo knows on a free port; stop them after."""
    with ExitStack() as stack:
        urls = {}
        for name in ("servicenow", "jira"):
            if name not in plugins.emulators:
                continue
            emulator = plugins.emulators.get(name)(host="127.0.0.1", port=0, seed_dir=None)
            emulator.start()
            stack.callback(emulator.stop)
            urls[name] = emulator.url
        yield urls


def run_cycle(plugins: Plugins, policies: Path, now: datetime, urls: dict[str, str],
              workdir: Path) -> LiveRun:
    config = {
        "apiVersion": "csi-rules/v1", "kind": "RunnerConfig",
        "policies": [str(policies.resolve())],
        "state": {"database": str(workdir / "state.db")},
        "pollInterval": "1m",
        "adapters": [{"name": n, "kinds": KINDS[n], "settings": adapter_settings(n, u)}
                     for n, u in urls.items()],
    }
    text = yaml.safe_dump(config, sort_keys=False)
    (workdir / "runner.yaml").write_text(text, encoding="utf-8")  # for `status`/`log` afterwards
    parsed = parse_config(text, str(workdir / "runner.yaml"))
    os.environ.update(DEMO_SECRETS)
    with Runner(parsed, clock=ManualClock(now), plugins=plugins) as runner:
        cycle = runner.run_once()
        audit = [dict(row.entry) for row in runner.store.audit()]
        changes: list[Record] = []
        for adapter in runner.adapters.values():
            changes += list(adapter.fetch_records(RecordQuery(kinds=("change",))))
    return LiveRun(urls, cycle, audit, changes, str(workdir / "runner.yaml"))


def live_demo(plugins: Plugins, policies: Path, now: datetime) -> LiveRun | None:
    """None when no emulator plugin is installed (the offline part still ran)."""
    workdir = Path(tempfile.mkdtemp(prefix="csi-rules-demo-"))
    with emulators(plugins) as urls:
        if not urls:
            return None
        return run_cycle(plugins, policies, now, urls, workdir)
