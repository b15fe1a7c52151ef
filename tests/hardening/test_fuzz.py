"""Keep it so: fuzzed policy documents, records and HTTP bodies get an answer, never a crash.

Bounded (a few dozen examples per target, a per-example deadline, a memory budget per
example) so the suite stays fast; the saved crashers in fuzz_regressions/ run every time. To
keep a new crasher, save the input hypothesis prints as a file there: *.yaml (a policy file),
*.json (a record file), *.body (an HTTP body, sent to every POST route).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi_rules.runtime.config import load_config
from csi_rules.server import CsiServer
from csi_rules.server.service import server_context
from tests.conftest import POLICIES
from tests.hardening.conftest import LIMITS

REGRESSIONS = Path(__file__).parent / "fuzz_regressions"
EXIT_CODES = {0, 1, 2, 3}
ROUTES = ("/v1/gate", "/webhooks/jira", "/webhooks/servicenow")
FUZZ = settings(max_examples=30, deadline=timedelta(seconds=10), derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

BASE_POLICY = yaml.safe_load((POLICIES / "routing" / "incident-routing.yaml").read_text())
BASE_RECORD = {"id": "INC1", "kind": "incident", "number": "INC1", "priority": 1,
               "state": "new", "category": "network", "short_description": "VPN down",
               "opened_at": "2026-03-02T09:00:00Z"}

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                           max_leaves=20)


def _mutate(base: dict, data: st.DataObject) -> dict:
    """`base` with one random subtree (found by a random walk) replaced by a random value."""
    doc = yaml.safe_load(yaml.safe_dump(base))
    parent: dict | list | None = None
    key: object = None
    node: object = doc
    for _ in range(data.draw(st.integers(0, 5))):
        if isinstance(node, dict) and node:
            step: object = data.draw(st.sampled_from(sorted(node, key=str)))
        elif isinstance(node, list) and node:
            step = data.draw(st.integers(0, len(node) - 1))
        else:
            break
        parent, key = node, step
        node = node[step]  # type: ignore[index]
    if parent is not None:
        parent[key] = data.draw(json_values)  # type: ignore[index]
    return doc


MEMORY_BUDGET_MB = 200  # growth of this process's peak resident memory for one example


def _memory_mb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


@contextmanager
def memory_budget() -> Iterator[None]:
    """Fail when the block raises the process's peak RSS (Linux VmHWM, reset first) by more
    than MEMORY_BUDGET_MB; elsewhere the block just runs."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        yield
        return
    before = _memory_mb("VmRSS")
    yield
    grown = _memory_mb("VmHWM") - before
    assert grown < MEMORY_BUDGET_MB, f"one example took {grown} MB more memory"


def _no_crash(result) -> None:
    assert result.code in EXIT_CODES, (result.code, result.err[-2000:])
    assert "Traceback" not in result.err and "Traceback" not in result.out


@FUZZ
@given(data=st.data())
def test_fuzzed_policy_documents_are_answered(tmp_path_factory, cli, data):
    folder = tmp_path_factory.mktemp("p")
    if data.draw(st.booleans()):
        text = yaml.safe_dump(_mutate(BASE_POLICY, data), allow_unicode=True)
    else:
        text = data.draw(st.text(max_size=300))
    (folder / "p.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    with memory_budget():
        _no_crash(cli("validate", str(folder)))


@FUZZ
@given(data=st.data())
def test_fuzzed_records_are_answered(tmp_path_factory, cli, data):
    path = tmp_path_factory.mktemp("r") / "record.json"
    choice = data.draw(st.integers(0, 2))
    if choice == 0:
        path.write_bytes(data.draw(st.binary(max_size=300)))
    else:
        import json

        value = _mutate(BASE_RECORD, data) if choice == 1 else data.draw(json_values)
        path.write_text(json.dumps(value), encoding="utf-8", errors="surrogatepass")
    with memory_budget():
        _no_crash(cli("evaluate", "--policies", str(POLICIES / "routing"), "--record",
                      str(path), "--now", "2026-03-02T10:00:00Z"))


@pytest.mark.parametrize("case", sorted(REGRESSIONS.glob("*.yaml")) + sorted(
    REGRESSIONS.glob("*.json")), ids=lambda p: p.name)
def test_saved_crashers_stay_answered(tmp_path, cli, case):
    with memory_budget():
        if case.suffix == ".yaml":
            (tmp_path / case.name).write_bytes(case.read_bytes())
            _no_crash(cli("validate", str(tmp_path)))
        else:
            _no_crash(cli("evaluate", "--policies", str(POLICIES / "routing"), "--record",
                          str(case), "--now", "2026-03-02T10:00:00Z"))


@pytest.fixture
def served_once(tmp_path, sn, clock) -> Iterator[CsiServer]:
    from tests.runtime.conftest import write_config

    config = load_config(str(write_config(tmp_path, sn, server={
        "port": 0, "maxBodyBytes": 4096,
        "webhooks": {"servicenow": {"adapter": "servicenow", "secretEnv": "FUZZ_SN_SECRET"}}})))
    ctx = server_context(config, clock, {**os.environ, "FUZZ_SN_SECRET": "fuzz-secret"})
    server = CsiServer(ctx, limits=LIMITS)
    server.start()
    yield server
    server.stop()
    ctx.store.close()


def _post_everywhere(server: CsiServer, body: bytes) -> None:
    for route in ROUTES:
        headers = {"Content-Type": "application/json", "X-CSI-Rules-Secret": "fuzz-secret",
                   "X-Hub-Signature": "sha256=00"}
        answer = requests.post(server.url + route, data=body, headers=headers, timeout=10)
        assert answer.status_code < 500, (route, answer.status_code, answer.text[:300])
        assert answer.headers["Content-Type"].startswith("application/json")


@FUZZ
@given(data=st.data())
def test_fuzzed_http_bodies_are_answered_without_a_500(served_once, data):
    import json

    choice = data.draw(st.integers(0, 2))
    if choice == 0:
        body = data.draw(st.binary(max_size=400))
    elif choice == 1:
        body = json.dumps({"change": _mutate(BASE_RECORD | {"kind": "change"}, data)}).encode(
            "utf-8", "surrogatepass")
    else:
        body = json.dumps(data.draw(json_values)).encode("utf-8", "surrogatepass")
    with memory_budget():  # the server runs in this process
        _post_everywhere(served_once, body)


@pytest.mark.parametrize("case", sorted(REGRESSIONS.glob("*.body")), ids=lambda p: p.name)
def test_saved_http_crashers_stay_answered(served_once, case):
    with memory_budget():
        _post_everywhere(served_once, case.read_bytes())
