"""`python -m bench.store_cost`: what the PostgreSQL store costs against SQLite for one runner,
in process (no start-up in the figure): a live cycle and, an hour later, a wake-up cycle over
TICKETS new incidents (half routed: assign + work note; every one gets an SLA note) on the
ServiceNow emulator, once with each store, rounds alternating which goes first. Prints the
time ratio PostgreSQL / SQLite per round and the median (issue 15's target: within 1.5x).
Needs initdb/pg_ctl on PATH (the tests' throw-away server, `fsync=off`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.end_to_end import START, config_text, populate, settings
from csi_rules.plugins import load_plugins
from csi_rules.runtime import ManualClock, Runner, parse_config
from csi_rules_servicenow import plugin as servicenow_plugin
from csi_rules_servicenow.emulator import ServiceNowEmulator
from csi_rules_servicenow.plugin import make_adapter
from tests.runtime.pg_server import PASSWORD, PgServer


def one_run(tickets: int, tmp: Path, dsn: str) -> float:
    """Seconds for a live cycle and a wake-up cycle (dsn "": SQLite)."""
    clock = ManualClock(START)
    plugins = load_plugins([servicenow_plugin], entry_points=False)
    with ServiceNowEmulator(clock=clock.now) as emulator:
        populate(emulator, tickets)
        config = json.loads(config_text(emulator.url, tmp / f"{time.monotonic_ns()}.db"))
        if dsn:
            config["state"] = {"store": dsn, "passwordEnv": "CSI_PG_PASSWORD"}
        runner_config = parse_config(json.dumps(config), str(tmp / "runner.yaml"))
        adapter = make_adapter(settings(emulator.url))
        with Runner(runner_config, clock=clock, plugins=plugins,
                    adapters={"servicenow": adapter}) as runner:
            began = time.perf_counter()
            first = runner.run_once()
            clock.advance(3601)
            second = runner.run_once()
            elapsed = time.perf_counter() - began
        adapter.close()
    if first.errors or second.errors:
        raise SystemExit(f"cycle errors: {first.errors or second.errors}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_cost")
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("SN_PASSWORD", "admin")  # the emulator's own credential
    os.environ["CSI_PG_PASSWORD"] = PASSWORD
    server = PgServer()
    ratios = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(args.rounds):
                order = ["sqlite", "pg"] if n % 2 == 0 else ["pg", "sqlite"]
                took = {name: one_run(args.tickets, Path(tmp),
                                      server.new_database() if name == "pg" else "")
                        for name in order}
                ratios.append(took["pg"] / took["sqlite"])
                print(f"round {n + 1}: SQLite {took['sqlite']:.2f} s, PostgreSQL "
                      f"{took['pg']:.2f} s, x{ratios[-1]:.2f}", flush=True)
    finally:
        server.close()
    print(f"PostgreSQL vs SQLite, one runner, in process: x{statistics.median(ratios):.2f} the "
          f"time (median of {len(ratios)} rounds; target <= 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
