"""Benchmark: notification fan-out, N tickets each paging in one runner cycle, as a ratio to N
bare transport sends to the same loopback receiver measured in the same run.

Phases, against one PagerDuty-style receiver on 127.0.0.1 (answers 202):
  bare     the transport's send() alone, N times (the baseline: HTTP, JSON);
  sync     the ServiceNow adapter's sync of the N tickets alone (for scale);
  cycle    one `run` cycle: sync + evaluate + ledger (pending, the sending mark, settled) +
           send + audit entry, for N decisions that each page once.

    .venv/bin/python -m bench.notify_fanout [--breaches 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from csi_rules.adapter import RecordQuery
from csi_rules.notify.transport import Message
from csi_rules.plugins import load_plugins
from csi_rules.runtime import ManualClock, Runner, parse_config
from csi_rules_servicenow import plugin as servicenow_plugin
from csi_rules_servicenow.emulator import ServiceNowEmulator
from csi_rules_servicenow.plugin import make_adapter

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
KEY = "B3NCHR0UT1NGKEY00000000000000032"
POLICY = """apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {name: page-breaches}
spec:
  appliesTo: [incident]
  hitPolicy: first
  rules:
    - id: breach
      when: {field: short_description, matches: "^breach"}
      actions:
        - notify: {channel: pager, message: "{number} {short_description}"}
"""


class Receiver:
    """Counts POSTs and answers 202 like PagerDuty's Events API."""

    def __init__(self) -> None:
        self.count = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall per answer

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.count += 1
                body = b'{"status":"success","message":"Event processed"}'
                self.send_response(202)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2/enqueue"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def settings(url: str) -> dict[str, object]:
    return {"url": url, "allow_insecure_loopback": True, "page_size": 500,
            "auth": {"type": "basic", "username": "admin", "password_env": "SN_PASSWORD"},
            "filters": {"incident": "active=true"}}


def line(label: str, count: int, seconds: float, baseline: float | None) -> float:
    rate = count / seconds if seconds else float("inf")
    ratio = f"  {rate / baseline:6.3f} x bare sends" if baseline else ""
    print(f"{label:<7} {count:>6} in {seconds:7.2f} s = {rate:8.1f}/s{ratio}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--breaches", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("SN_PASSWORD", "admin")  # the emulator's own credential
    os.environ["BENCH_PD_KEY"] = KEY
    n = args.breaches
    clock = ManualClock(START)
    plugins = load_plugins([servicenow_plugin], entry_points=False)
    receiver = Receiver()
    with ServiceNowEmulator(clock=clock.now) as emulator, tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            emulator.store.insert("incident", {"short_description": f"breach {i}",
                                               "impact": "2", "urgency": "2", "state": "1",
                                               "active": "true"}, "admin")
        pager = plugins.transports.get("pagerduty").build(
            {"url": receiver.url, "routing_key_env": "BENCH_PD_KEY"}, os.environ)
        began = time.perf_counter()
        for i in range(n):
            pager.send(Message("pager", f"INC{i} breach {i}", "", dedup_key=f"bench/{i}",
                               idempotency_key=f"bench/{i}"))
        base = line("bare", n, time.perf_counter() - began, None)
        pager.close()

        adapter = make_adapter(settings(emulator.url))
        began = time.perf_counter()
        synced = sum(1 for _ in adapter.fetch_records(RecordQuery(("incident",))))
        line("sync", synced, time.perf_counter() - began, base)
        adapter.close()

        (Path(tmp) / "policies").mkdir()
        (Path(tmp) / "policies" / "page.yaml").write_text(POLICY)
        config = parse_config(json.dumps({
            "policies": [str(Path(tmp) / "policies")], "state": {"database": f"{tmp}/s.db"},
            "batchSize": 500, "adapters": [{"name": "servicenow", "kinds": ["incident"],
                                            "settings": settings(emulator.url)}],
            "channels": {"pager": {"transport": "pagerduty", "settings": {
                "url": receiver.url, "routing_key_env": "BENCH_PD_KEY"}}}}),
            str(Path(tmp) / "runner.yaml"))
        before = receiver.count
        with Runner(config, clock=clock, plugins=plugins) as runner:
            began = time.perf_counter()
            report = runner.run_once()
            elapsed = time.perf_counter() - began
            sent = runner.metrics.value("csi_rules_notifications_total", channel="pager",
                                        status="sent")
        line("cycle", sent, elapsed, base)
        print(f"{'':<7} decisions {report.tally.decisions}, pages received "
              f"{receiver.count - before}, errors {len(report.errors)}")
    receiver.close()


if __name__ == "__main__":
    main()
