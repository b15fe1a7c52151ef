"""`python -m bench.shared_runners`: tickets/s end to end with 1, 2 and 4 runner processes on
one PostgreSQL database (ratios to one runner), and one runner on PostgreSQL against one on
SQLite (the time ratio, median of --rounds interleaved pairs). Each run: a fresh ServiceNow
emulator with TICKETS new network incidents (routing: assign + comment each), runners
started, the clock stops when every ticket's two actions are settled. Needs initdb/pg_ctl on
PATH (the tests' throw-away server is reused). Start-up (imports, first sync) is included;
use --tickets to make it small against the work.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.runtime.conftest import new_incident, write_config
from tests.runtime.pg_server import PASSWORD, PgServer

ENTRY = "import sys; from csi_rules.cli import main; sys.exit(main())"


def _done_pg(dsn: str) -> int:
    import psycopg

    with psycopg.connect(dsn, password=PASSWORD) as conn:
        if conn.execute("SELECT to_regclass('ledger')").fetchone() == (None,):
            return 0  # the first runner has not migrated the database yet
        row = conn.execute("SELECT count(*) FROM ledger WHERE action_type = 'assign' AND "
                           "state IN ('applied', 'already_applied')").fetchone()
    return int(row[0]) if row else 0


def _done_sqlite(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT count(*) FROM ledger WHERE action_type = 'assign' "
                                    "AND state IN ('applied', 'already_applied')").fetchone()[0])
    except sqlite3.Error:
        return 0


def one_run(tickets: int, runners: int, server: PgServer | None) -> float:
    """Seconds until every action of `tickets` new tickets is settled."""
    emulator = ServiceNowEmulator()
    emulator.start()
    tmp = Path(tempfile.mkdtemp(prefix="csi-bench-"))
    procs = []
    try:
        dsn = server.new_database() if server else ""
        state = {"store": dsn, "passwordEnv": "CSI_PG_PASSWORD", "lease": "5s"} if server \
            else {"database": str(tmp / "state.db")}
        config = write_config(tmp, emulator, kinds=("incident",), pollInterval="1s",
                              state=state, batchSize=200)
        for _ in range(tickets):
            new_incident(emulator, category="network")
        env = {**os.environ, "SN_PASSWORD": "admin", "CSI_PG_PASSWORD": PASSWORD,
               "CSI_RULES_DISABLE_PLUGINS": ""}
        env.pop("CSI_RULES_FAULT", None)
        started = time.monotonic()
        procs = [subprocess.Popen([sys.executable, "-c", ENTRY, "run", "--config", str(config)],
                                  env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(runners)]
        while True:
            done = _done_pg(dsn) if server else _done_sqlite(tmp / "state.db")
            if done >= tickets:  # one assignment per ticket (then its comment)
                return time.monotonic() - started
            time.sleep(0.2)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
        emulator.stop()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.shared_runners")
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3,
                        help="SQLite/PostgreSQL one-runner pairs, alternating which goes first")
    args = parser.parse_args()
    server = PgServer()
    costs: list[float] = []  # PostgreSQL seconds / SQLite seconds, one runner, per round
    try:
        for n in range(args.rounds):
            pair = [("sqlite", None), ("pg", server)]
            seconds = {name: one_run(args.tickets, 1, where)
                       for name, where in (pair if n % 2 == 0 else pair[::-1])}
            costs.append(seconds["pg"] / seconds["sqlite"])
            print(f"round {n + 1}: SQLite {seconds['sqlite']:.1f} s, PostgreSQL "
                  f"{seconds['pg']:.1f} s, x{costs[-1]:.2f}", flush=True)
        rates = {n: args.tickets / one_run(args.tickets, n, server) for n in (1, 2, 4)}
    finally:
        server.close()
    print(f"{args.tickets} tickets, 2 actions each, ServiceNow emulator, {os.cpu_count()} cores")
    for n, rate in rates.items():
        print(f"PostgreSQL, {n} runner{'s' if n > 1 else ' '}: {rate:8.1f} tickets/s  "
              f"x{rate / rates[1]:.2f} of 1 runner")
    print(f"PostgreSQL vs SQLite, 1 runner: x{statistics.median(costs):.2f} the time (median of "
          f"{len(costs)} rounds: {', '.join(f'{c:.2f}' for c in costs)}; target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
