"""A catastrophic regex hot-reloaded by `csi-rules serve` (runner on) does not freeze it:
/healthz, /metrics and /v1/gate keep answering while the runner evaluates records against
`^(a+)+$`, and SIGTERM still ends the process. (With a backtracking engine the first such
record took hours and the whole process stopped answering.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.conftest import POLICIES
from tests.runtime.conftest import new_incident, write_config

from .test_who_may_ask import ENTRY

HOSTILE = """\
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {name: hostile}
spec:
  appliesTo: [incident]
  hitPolicy: first
  rules:
    - id: nested
      when: {field: short_description, matches: "^(a+)+$"}
      actions: [{assign: {group: A}}]
    - id: alternation
      when: {field: short_description, matches: "(a|aa)+$"}
      actions: [{assign: {group: B}}]
"""


def _records_after_reload(stderr: str) -> tuple[int, int]:
    """(records evaluated, errors) in the runner's cycles after the policy reload."""
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    reloaded = [i for i, e in enumerate(events) if e.get("event") == "policy_reloaded"]
    assert reloaded, "the hostile policy was never reloaded"
    cycles = [e for e in events[reloaded[0]:] if e.get("event") == "cycle"]
    return sum(c["records"] for c in cycles), sum(c["errors"] for c in cycles)


def test_serve_stays_responsive_after_reloading_a_catastrophic_regex(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES / "routing", policies / "routing")
    emulator = ServiceNowEmulator()
    emulator.start()
    config = write_config(tmp_path, emulator, policies=policies, kinds=("incident",),
                          reloadCheck="1s", pollInterval="1s",
                          server={"port": 0, "ops": {"port": 0}, "gate": {"secretEnv": "GT"}})
    proc = subprocess.Popen([sys.executable, "-c", ENTRY, "serve", "--config", str(config)],
                            env={**os.environ, "SN_PASSWORD": "admin", "GT": "tok"},
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        while not line.startswith("{"):  # validation warnings about the shipped policies
            line = proc.stderr.readline()
        urls = json.loads(line)
        (policies / "routing" / "hostile.yaml").write_text(HOSTILE)
        time.sleep(2.5)  # past reloadCheck: the next cycle runs the new policy set
        for n in range(10):
            new_incident(emulator, short_description="a" * 40 + "!" + "x" * (n * 100))
        started = time.monotonic()
        while time.monotonic() - started < 4:
            for url in (urls["ops_url"] + "/healthz", urls["ops_url"] + "/metrics"):
                assert requests.get(url, timeout=3).status_code == 200
            gate = requests.post(urls["url"] + "/v1/gate", json={"change": {"id": "c"}},
                                 headers={"Authorization": "Bearer tok"}, timeout=3)
            assert gate.headers["Content-Type"].startswith("application/json")
            time.sleep(0.2)
        metrics = requests.get(urls["ops_url"] + "/metrics", timeout=3).text
        assert 'csi_rules_policy_reloads_total{result="accepted"} 1' in metrics
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        records, errors = _records_after_reload(proc.stderr.read())
        assert records >= 10 and errors == 0  # the runner did evaluate them, on RE2
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
        emulator.stop()
