"""POST /v1/gate with a schedule and no ConflictPolicy judges by the same-CI default, as the
CLI does: a same-CI overlap is never waved through by the server either."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from csi_rules.runtime import ManualClock, parse_config
from csi_rules.server import CsiServer
from csi_rules.server.service import server_context
from tests.change.test_gate_fails_closed import CHANGE, NO_CONFLICTS_GATE, NOW, OTHER


@pytest.fixture
def server(tmp_path, plugins):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "gate.yaml").write_text(NO_CONFLICTS_GATE)
    text = (f"policies: [{policies}]\nstate: {{database: {tmp_path / 'state.db'}}}\n"
            "adapters: [{name: servicenow, kinds: [change]}]\nserver: {port: 0}\n")
    ctx = server_context(parse_config(text, str(tmp_path / "runner.yaml")),
                         ManualClock(datetime(2026, 3, 10, 21, tzinfo=UTC)), {}, plugins=plugins)
    running = CsiServer(ctx)
    running.start()
    yield running
    running.stop()
    ctx.store.close()


def test_a_same_ci_overlap_is_no_go_without_a_conflict_policy(server):
    answer = requests.post(server.url + "/v1/gate", timeout=10,
                           json={"change": CHANGE, "schedule": [OTHER], "now": NOW})
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] == "no-go"
