"""Benchmark: tickets/s through `csi-rules run` against the ServiceNow emulator, as ratios to a
bare sync of the same tickets measured in the same run.

The baseline (`bare`) is what a hand-written script would do with plain `requests`: page
through the same tickets and fields, and write the same changes (a PATCH for the assignment
group and a PATCH for the work note of every network ticket; `bare/1` sends both in one PATCH).
It runs on its own emulator holding the same tickets, so the runner's emulator is untouched.
Phases on the runner's emulator:
  sync      the adapter's full sync alone (HTTP, paging, normalization, no writes);
  shadow    one `run --dry-run` cycle: sync + evaluate (routing + SLA) + ledger + audit log;
  live      one `run` cycle: the same, plus real writes (assign + work note on half the tickets);
  wake-ups  one hour later, one cycle firing every ticket's SLA-warning wake-up (a re-read by id,
            an evaluation and a work note each); its baseline re-reads the tickets by id
            (sys_idIN, 100 a query) and writes one work note each.
Rounds alternate which side runs first; the ratios printed are medians over the rounds.
Emulator speed-ups help both sides alike: the baseline writes as often as the runner does.

    .venv/bin/python -m bench end-to-end [--tickets 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench.harness import median
from csi_rules.adapter import RecordQuery
from csi_rules.plugins import load_plugins
from csi_rules.runtime import ManualClock, Runner, parse_config
from csi_rules_servicenow import plugin as servicenow_plugin
from csi_rules_servicenow.emulator import ServiceNowEmulator
from csi_rules_servicenow.normalize import fields_for
from csi_rules_servicenow.plugin import make_adapter

POLICIES = Path(__file__).resolve().parent.parent / "tests" / "runtime" / "policies"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ROUTED_NOTE = "Routed to Network by csi-rules."
SLA_NOTE = "Half of the resolution SLA is used."


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


# -- the bare baseline ------------------------------------------------------------------------
class Bare:
    """Plain `requests` against the Table API: the least a script reading and writing the
    same tickets must do."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        self.session.auth = ("admin", "admin")
        self.session.headers.update({"Accept": "application/json"})
        self.fields = ",".join(fields_for("incident"))

    def close(self) -> None:
        self.session.close()

    def _list(self, query: str, offset: int, limit: int) -> list[dict[str, object]]:
        response = self.session.get(f"{self.url}/api/now/table/incident", params={
            "sysparm_query": query, "sysparm_fields": self.fields, "sysparm_limit": limit,
            "sysparm_offset": offset, "sysparm_display_value": "all",
            "sysparm_exclude_reference_link": "true", "sysparm_no_count": "true",
            "sysparm_suppress_pagination_header": "true"}, timeout=60)
        response.raise_for_status()
        return list(response.json()["result"])

    def _patch(self, sys_id: str, body: dict[str, str]) -> None:
        self.session.patch(f"{self.url}/api/now/table/incident/{sys_id}", json=body,
                           params={"sysparm_fields": "sys_id"}, timeout=60).raise_for_status()

    def group(self, name: str) -> str:
        response = self.session.get(f"{self.url}/api/now/table/sys_user_group",
                                    params={"sysparm_query": f"name={name}",
                                            "sysparm_fields": "sys_id"}, timeout=60)
        return str(response.json()["result"][0]["sys_id"])

    def route(self, combined: bool) -> tuple[int, int]:
        """(tickets read, writes): assign + note every unassigned network ticket."""
        group, offset, count, writes = self.group("Network"), 0, 0, 0
        while True:
            rows = self._list("active=true^ORDERBYsys_updated_on^ORDERBYsys_id", offset, 500)
            for row in rows:
                if _value(row, "category") == "network" and not _value(row, "assignment_group"):
                    sys_id = str(_value(row, "sys_id"))
                    if combined:
                        self._patch(sys_id, {"assignment_group": group, "work_notes": ROUTED_NOTE})
                        writes += 1
                    else:
                        self._patch(sys_id, {"assignment_group": group})
                        self._patch(sys_id, {"work_notes": ROUTED_NOTE})
                        writes += 2
            count += len(rows)
            offset += 500
            if len(rows) < 500:
                return count, writes

    def note(self, sys_ids: list[str]) -> int:
        """Re-read the tickets by id, 100 a query, and note each: the wake-ups' baseline."""
        for i in range(0, len(sys_ids), 100):
            chunk = sys_ids[i:i + 100]
            for row in self._list(f"sys_idIN{','.join(chunk)}^ORDERBYsys_id", 0, 100):
                self._patch(str(_value(row, "sys_id")), {"work_notes": SLA_NOTE})
        return len(sys_ids)


def _value(row: dict[str, object], name: str) -> object:
    cell = row.get(name)
    return cell.get("value") if isinstance(cell, dict) else cell


def bare_round(tickets: int, combined: bool) -> dict[str, float]:
    """Seconds of the bare routing pass and of the bare wake-up pass, on a fresh emulator."""
    clock = ManualClock(START)
    with ServiceNowEmulator(clock=clock.now) as emulator:
        populate(emulator, tickets)
        ids = [r["sys_id"] for r in emulator.store.rows("incident")
               if r.get("short_description", "").startswith("bench ticket")]
        bare = Bare(emulator.url)
        began = time.perf_counter()
        read, _ = bare.route(combined)
        routed = time.perf_counter() - began
        clock.advance(3601)
        began = time.perf_counter()
        bare.note(ids)
        noted = time.perf_counter() - began
        bare.close()
    return {"live": read / routed, "wake-ups": len(ids) / noted}


# -- the runner -------------------------------------------------------------------------------
def runner_round(tickets: int, tmp: Path, show: bool) -> dict[str, float]:
    clock = ManualClock(START)
    plugins = load_plugins([servicenow_plugin], entry_points=False)
    rates: dict[str, float] = {}
    with ServiceNowEmulator(clock=clock.now) as emulator:
        populate(emulator, tickets)
        adapter = make_adapter(settings(emulator.url))
        began = time.perf_counter()
        synced = sum(1 for _ in adapter.fetch_records(RecordQuery(("incident",))))
        rates["sync"] = synced / (time.perf_counter() - began)
        adapter.close()
        for label, dry_run in (("shadow", True), ("live", False)):
            database = tmp / f"{label}-{time.monotonic_ns()}.db"
            config = parse_config(config_text(emulator.url, database), str(tmp / "runner.yaml"))
            sn = TimedActions(make_adapter(settings(emulator.url)))
            with Runner(config, clock=clock, plugins=plugins, dry_run=dry_run,
                        adapters={"servicenow": sn}) as runner:  # type: ignore[dict-item]
                emulator.requests.clear()
                began = time.perf_counter()
                report = runner.run_once()
                elapsed = time.perf_counter() - began
                rates[label] = report.tally.records / elapsed
                if show:
                    print(f"  {label:<9} {report.tally.records} tickets in {elapsed:.2f} s, "
                          f"actions {report.tally.actions}, errors {len(report.errors)}; "
                          f"{sn.seconds:.2f} s inside apply_action; {requests_seen(emulator)}")
                if not dry_run:
                    clock.advance(3601)
                    sn.seconds = 0.0
                    emulator.requests.clear()
                    began = time.perf_counter()
                    report = runner.run_once()
                    elapsed = time.perf_counter() - began
                    rates["wake-ups"] = report.wakeups / elapsed
                    if show:
                        print(f"  wake-ups  {report.wakeups} in {elapsed:.2f} s, actions "
                              f"{report.tally.actions}, errors {len(report.errors)}; "
                              f"{sn.seconds:.2f} s inside apply_action; "
                              f"{requests_seen(emulator)}")
            sn.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SN_PASSWORD", "admin")  # the emulator's own credential
    rows: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            print(f"round {n + 1}")
            sides = [("runner", lambda: runner_round(args.tickets, Path(tmp), True)),
                     ("bare", lambda: bare_round(args.tickets, False)),
                     ("bare/1", lambda: bare_round(args.tickets, True))]
            if n % 2:
                sides.reverse()
            got = {name: run() for name, run in sides}
            for phase in ("live", "wake-ups"):
                rows.setdefault(phase, []).append(got["runner"][phase] / got["bare"][phase])
            rows.setdefault("live vs bare/1", []).append(got["runner"]["live"]
                                                         / got["bare/1"]["live"])
            rows.setdefault("bare tickets/s", []).append(got["bare"]["live"])
            for phase in ("sync", "shadow", "live"):
                rows.setdefault(f"runner {phase} tickets/s", []).append(got["runner"][phase])
            print("  " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in rows.items()))
    print(f"\n{args.tickets} tickets (+ the seed's open incidents), medians of {args.rounds} "
          "rounds; ratios to the bare sync (reads + the same writes)")
    for phase, values in rows.items():
        label = "x bare" if "tickets/s" not in phase else "tickets/s"
        print(f"  {phase:<22} {median(values):8.3f} {label}  "
              f"(rounds: {', '.join(f'{v:.3f}' for v in values)})")


if __name__ == "__main__":
    main()
