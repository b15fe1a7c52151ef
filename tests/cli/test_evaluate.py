from __future__ import annotations

import json

from tests.conftest import POLICIES

NOW = "2026-03-02T09:30:00Z"


def _evaluate(cli, records: str, *extra: str):
    return cli("evaluate", "--policies", str(POLICIES), "--record", "-", "--now", NOW, *extra,
               stdin=records)


def test_decision_carries_policy_rule_source_actions_and_reasons(cli):
    record = {"id": "x1", "number": "INC1", "kind": "incident", "category": "inquiry",
              "short_description": "VPN is down", "priority": 3}
    result = _evaluate(cli, json.dumps(record))
    assert result.code == 0, result.err
    out = json.loads(result.out)
    first = out["decisions"][0]
    assert first["policy"]["name"] == "incident-routing"
    assert first["policy"]["version"].startswith("sha256:")
    assert first["rule"] == "network"
    policy = POLICIES / "routing" / "incident-routing.yaml"
    line = policy.read_text().splitlines().index("    - id: network") + 1
    assert first["source"].endswith(f"policies/routing/incident-routing.yaml:{line}")
    assert first["actions"] == [{"assign": {"group": "Network Operations"}}]
    assert {"field": "short_description", "op": "matches",
            "expected": "(?i)\\b(vpn|wi-?fi|dns|firewall)\\b", "actual": "VPN is down",
            "missing": False, "result": True} in first["reasons"]
    assert {"field": "category", "op": "in", "expected": ["network", "Category 55"],
            "actual": "inquiry", "missing": False, "result": False} in first["reasons"]


def test_json_lines_stream_gives_one_line_per_record(cli):
    lines = "\n".join(json.dumps({"id": f"r{i}", "kind": "incident", "reassignment_count": i})
                      for i in range(5))
    result = _evaluate(cli, lines)
    outputs = [json.loads(line) for line in result.out.splitlines()]
    assert [o["record"]["id"] for o in outputs] == ["r0", "r1", "r2", "r3", "r4"]
    rules = [o["decisions"][0]["rule"] for o in outputs]
    assert rules == [None, None, None, "ping-pong", "ping-pong"]


def test_a_broken_record_in_a_stream_stops_everything_with_line_and_field(cli):
    lines = "\n".join([json.dumps({"id": "ok", "kind": "incident"}),
                       json.dumps({"id": "bad", "kind": "incident", "priority": "2"})])
    result = _evaluate(cli, lines)
    assert result.code == 2
    assert result.out == ""
    assert result.err == ("csi-rules: error: <stdin>:2 bad: field priority: '2' is not of "
                          "type 'integer'\n")


def test_now_decides_age_based_rules(cli):
    record = json.dumps({"id": "a", "kind": "incident", "opened_at": "2026-03-02T09:00:00Z"})
    early = _evaluate(cli, record)
    assert json.loads(early.out)["decisions"][0]["rule"] is None
    late = cli("evaluate", "--policies", str(POLICIES), "--record", "-",
               "--now", "2026-03-02T09:31:00Z", stdin=record)
    assert json.loads(late.out)["decisions"][0]["rule"] == "unassigned-too-long"


def test_text_format_explains(cli):
    record = json.dumps({"id": "a", "number": "INC9", "kind": "incident", "priority": 1,
                         "service_tier": "gold"})
    result = _evaluate(cli, record, "--format", "text")
    assert "INC9: incident-routing → rule major-incident" in result.out
    assert "action: assign(group='Major Incident Management')" in result.out
    assert "because [ok] priority eq 1 (saw 1)" in result.out


def test_invalid_policies_refuse_to_evaluate(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: csi-rules/v1\nkind: RoutingPolicy\nmetadata: {name: b}\n"
                   "spec: {rules: [{id: r, when: {field: prio, eq: 1}}]}\n")
    result = cli("evaluate", "--policies", str(bad), "--record", "-", stdin='{"id":"1","kind":"incident"}')
    assert result.code == 2
    assert f"{bad}:4:" in result.err and "unknown field 'prio'" in result.err


def test_bad_now_and_missing_file_are_usage_errors(cli):
    r1 = cli("evaluate", "--policies", str(POLICIES), "--record", "-", "--now", "2026-03-02",
             stdin='{"id":"1","kind":"incident"}')
    assert r1.code == 2 and "has no UTC offset" in r1.err
    r2 = cli("evaluate", "--policies", str(POLICIES), "--record", "/nonexistent.json")
    assert r2.code == 2 and "cannot read records from /nonexistent.json" in r2.err
