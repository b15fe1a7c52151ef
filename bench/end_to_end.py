"""Benchmark: tickets/s through `csi-rules run` against the ServiceNow emulator, as a ratio to
the bare incremental sync of the same tickets measured in the same run.

Phases, each on the same emulator and ticket set:
  sync      the adapter's full sync alone (the baseline: HTTP, paging, normalization);
  shadow    one `run --dry-run` cycle: sync + evaluate (routing + SLA) + ledger + audit log;
  live      one `run` cycle: the same, plus real writes (assign + work note on half the tickets);
  wake-ups  one hour later, one cycle firing every ticket's SLA-warning wake-up (a re-read by id,
            an evaluation and a work note each).

Each phase also prints the requests it made: reads before writes are batched per page
(Adapter.prepare), so single-record GETs are only the read-backs after field writes.

    .venv/bin/python bench/end_to_end.py [--tickets 3000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from csi_rules.adapter import RecordQuery
from csi_rules.plugins import load_plugins
from csi_rules.runtime import ManualClock, Runner, parse_config
from csi_rules_servicenow import plugin as servicenow_plugin
from csi_rules_servicenow.emulator import ServiceNowEmulator
from csi_rules_servicenow.plugin import make_adapter

POLICIES = Path(__file__).resolve().parent.parent / "tests" / "runtime" / "policies"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def settings(url: str) -> dict[str, object]:
    return {"url": url, "allow_insecure_loopback": True, "page_size": 500,
            "auth": {"type": "basic", "username": "admin", "password_env": "SN_PASSWORD"},
            "filters": {"incident": "active=true"}}


def populate(emulator: ServiceNowEmulator, tickets: int) -> None:
    for i in range(tickets):
        emulator.store.insert("incident", {
            "short_description": f"bench ticket {i}", "impact": "2", "urgency": "2",
            "state": "1", "active": "true", "category": "network" if i % 2 == 0 else "inquiry"},
            "admin")


def config_text(url: str, database: Path) -> str:
    import json

    return json.dumps({"policies": [str(POLICIES)], "state": {"database": str(database)},
                       "batchSize": 500,
                       "adapters": [{"name": "servicenow", "kinds": ["incident"],
                                     "settings": settings(url)}]})


class TimedActions:
    """Wraps an adapter to add up the time spent inside apply_action (platform writes and the
    reads before them), so the runner's own share of a cycle can be told apart."""

    def __init__(self, adapter: object):
        self._adapter = adapter
        self.seconds = 0.0

    def __getattr__(self, name: str) -> object:
        return getattr(self._adapter, name)

    def apply_action(self, *args: object, **kwargs: object) -> object:
        began = time.perf_counter()
        try:
            return self._adapter.apply_action(*args, **kwargs)  # type: ignore[attr-defined]
        finally:
            self.seconds += time.perf_counter() - began


def requests_seen(emulator: ServiceNowEmulator) -> str:
    """The requests since the log was last cleared, by kind: list queries, single-record GETs,
    writes (the emulator keeps the last 10,000)."""
    seen = list(emulator.requests)
    lists = sum(1 for m, p, _ in seen if m == "GET" and p.count("/") == 4)
    singles = sum(1 for m, p, _ in seen if m == "GET" and p.count("/") > 4)
    writes = sum(1 for m, _, _ in seen if m in ("PATCH", "POST", "PUT"))
    return f"requests: {lists} list queries, {singles} single GETs, {writes} writes"


def timed(label: str, count: int, seconds: float, baseline: float | None) -> float:
    rate = count / seconds if seconds else float("inf")
    ratio = f"  {rate / baseline:6.3f} x sync" if baseline else ""
    print(f"{label:<10} {count:>7} in {seconds:7.2f} s = {rate:9.1f}/s{ratio}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=3000)
    args = parser.parse_args()
    os.environ.setdefault("SN_PASSWORD", "admin")  # the emulator's own credential
    clock = ManualClock(START)
    plugins = load_plugins([servicenow_plugin], entry_points=False)
    with ServiceNowEmulator(clock=clock.now) as emulator, tempfile.TemporaryDirectory() as tmp:
        populate(emulator, args.tickets)
        adapter = make_adapter(settings(emulator.url))
        began = time.perf_counter()
        synced = sum(1 for _ in adapter.fetch_records(RecordQuery(("incident",))))
        base = timed("sync", synced, time.perf_counter() - began, None)
        adapter.close()

        for label, dry_run in (("shadow", True), ("live", False)):
            config = parse_config(config_text(emulator.url, Path(tmp) / f"{label}.db"),
                                  str(Path(tmp) / "runner.yaml"))
            sn = TimedActions(make_adapter(settings(emulator.url)))
            with Runner(config, clock=clock, plugins=plugins, dry_run=dry_run,
                        adapters={"servicenow": sn}) as runner:  # type: ignore[dict-item]
                emulator.requests.clear()
                began = time.perf_counter()
                report = runner.run_once()
                elapsed = time.perf_counter() - began
                timed(label, report.tally.records, elapsed, base)
                print(f"{'':<10} decisions {report.tally.decisions}, actions "
                      f"{report.tally.actions}, errors {len(report.errors)}; "
                      f"{sn.seconds:.2f} s inside apply_action")
                print(f"{'':<10} {requests_seen(emulator)}")
                if not dry_run:
                    clock.advance(3601)
                    sn.seconds = 0.0
                    emulator.requests.clear()
                    began = time.perf_counter()
                    report = runner.run_once()
                    timed("wake-ups", report.wakeups, time.perf_counter() - began, base)
                    print(f"{'':<10} actions {report.tally.actions}, errors "
                          f"{len(report.errors)}; {sn.seconds:.2f} s inside apply_action")
                    print(f"{'':<10} {requests_seen(emulator)}")
            sn.close()


if __name__ == "__main__":
    main()
