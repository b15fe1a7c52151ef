"""CabRoutingPolicy honours a change model's maxRisk: a pre-approved row never pre-approves a
change above its model's risk (or with no risk at all); it goes on to the next row."""

from __future__ import annotations

import json

import pytest

POLICY = """apiVersion: csi-rules/v1
kind: CabRoutingPolicy
metadata: {name: routes}
spec:
  changeModels:
    - {id: patching, maxRisk: moderate}
  rules:
    - id: catalogue
      priority: 10
      when: {field: change_type, eq: standard}
      route: {type: pre-approved, model: patching}
    - id: the-rest
      priority: 90
      route: {type: cab, approvers: [cab-members]}
"""


@pytest.mark.parametrize(("risk", "rule"), [("low", "catalogue"), ("moderate", "catalogue"),
                                            ("high", "the-rest"), ("very_high", "the-rest"),
                                            (None, "the-rest")])
def test_the_route_follows_the_models_risk_limit(cli, tmp_path, risk, rule):
    (tmp_path / "cab.yaml").write_text(POLICY)
    change = {"id": "c1", "kind": "change", "change_type": "standard"}
    if risk:
        change["risk"] = risk
    result = cli("evaluate", "--policies", str(tmp_path), "--record", "-", "--now",
                 "2026-03-02T09:00:00Z", "--format", "json", stdin=json.dumps(change))
    decisions = json.loads(result.out)["decisions"]
    assert [d["rule"] for d in decisions] == [rule]
