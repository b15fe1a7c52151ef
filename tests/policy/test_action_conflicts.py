"""validate warns about policies that fight: rules that can both match one record and set the
same field to different values, with both places and an example record."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import POLICIES

ROUTE_A = """\
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {name: route-a}
spec:
  appliesTo: [incident]
  trigger: always
  rules:
    - id: network
      when: {field: category, eq: network}
      actions:
        - assign: {group: Network}
"""
ROUTE_B = """\
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {name: route-b}
spec:
  appliesTo: [incident]
  trigger: always
  rules:
    - id: p1
      when: {field: priority, eq: 1}
      actions:
        - assign: {group: Major Incident}
"""


def _write(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


def _conflicts(out: str) -> list[str]:
    return [line for line in out.splitlines() if "action conflict" in line]


def test_two_policies_assigning_different_groups_are_reported_with_both_places(tmp_path, cli):
    result = cli("validate", str(_write(tmp_path, a=ROUTE_A, b=ROUTE_B)))
    assert result.code == 0  # a warning, not an error
    (line,) = _conflicts(result.out)
    assert line.startswith(f"{tmp_path}/b.yaml:11:")
    assert "warning:" in line
    assert f"{tmp_path}/a.yaml:8" in line and f"{tmp_path}/b.yaml:8" in line
    assert "assignment_group='Major Incident'" in line and "assignment_group='Network'" in line
    assert "category='network'" in line and "priority=1" in line  # the example record
    assert "route-a" in line and "overridden" in line


def test_disjoint_conditions_same_value_or_other_kinds_do_not_conflict(tmp_path, cli):
    disjoint = ROUTE_B.replace("{field: priority, eq: 1}", "{field: category, eq: hardware}")
    same = ROUTE_B.replace("Major Incident", "Network")
    requests = ROUTE_B.replace("[incident]", "[request]")
    for other in (disjoint, same, requests):
        result = cli("validate", str(_write(tmp_path, a=ROUTE_A, b=other)))
        assert result.code == 0 and _conflicts(result.out) == [], result.out


def test_rules_of_one_first_policy_never_fight_but_collect_rules_do(tmp_path, cli):
    both = ROUTE_A + """\
    - id: p1
      when: {field: priority, eq: 1}
      actions:
        - set_priority: {priority: 2}
    - id: vip
      when: {field: raw.u_vip, eq: "true"}
      actions:
        - set_priority: {priority: 1}
"""
    assert _conflicts(cli("validate", str(_write(tmp_path, a=both))).out) == []
    collect = both.replace("trigger: always", "trigger: always\n  hitPolicy: collect")
    (line,) = _conflicts(cli("validate", str(_write(tmp_path, a=collect))).out)
    assert "priority=1" in line and "priority=2" in line and "raw.u_vip='true'" in line


def test_an_escalation_to_a_lower_level_is_reported(tmp_path, cli):
    sla = """\
apiVersion: csi-rules/v1
kind: SlaPolicy
metadata: {name: sla}
spec:
  appliesTo: [incident]
  defaultCalendar: eu-office-hours
  clock:
    stop: {field: state, in: [resolved, closed]}
  thresholds:
    - id: breach
      at: 100
      actions:
        - escalate: {level: 2, group: Service Desk L2, reason: "SLA breached"}
  metrics:
    - name: resolution
      targets:
        - {target: 4h}
"""
    ladder = """\
apiVersion: csi-rules/v1
kind: EscalationPolicy
metadata: {name: ladder}
spec:
  appliesTo: [incident]
  when: {field: priority, eq: 1}
  acknowledged: {field: assignee, exists: true}
  levels:
    - id: first
      after: 10m
      target: {group: Service Desk L2}
"""
    calendars = (POLICIES / "calendars" / "eu-office-hours.yaml").read_text()
    result = cli("validate", str(_write(tmp_path, sla=sla, ladder=ladder, cal=calendars)))
    lines = _conflicts(result.out)
    assert any("escalates to level 2" in x and "level 1" in x and "higher level (2)" in x
               for x in lines), result.out


def test_precedence_must_be_an_integer(tmp_path, cli):
    bad = ROUTE_A.replace("  trigger: always", "  precedence: first\n  trigger: always")
    result = cli("validate", str(_write(tmp_path, a=bad)))
    assert result.code == 2 and "spec.precedence" in result.out


def test_policies_that_each_state_a_different_precedence_are_settled_not_reported(tmp_path,
                                                                                 cli):
    a = ROUTE_A.replace("  trigger: always", "  precedence: 10\n  trigger: always")
    b = ROUTE_B.replace("  trigger: always", "  precedence: 20\n  trigger: always")
    assert _conflicts(cli("validate", str(_write(tmp_path, a=a, b=b))).out) == []
    only_one = cli("validate", str(_write(tmp_path, a=a, b=ROUTE_B))).out
    assert len(_conflicts(only_one)) == 1  # a default on one side is not a choice


def test_the_shipped_policies_are_settled(cli):
    """Routing, the priority matrix and the escalation ladder state their precedence; the SLA
    breach notifies instead of escalating beside the ladder, and the routing fallback leaves
    priority to the matrix."""
    assert _conflicts(cli("validate", str(POLICIES)).out) == []


def test_every_pair_is_reported_when_the_policies_share_one_file(tmp_path, cli):
    route_c = ROUTE_A.replace("route-a", "route-c").replace("Network", "Field Services")
    path = tmp_path / "all.yaml"
    path.write_text("---\n".join((ROUTE_A, ROUTE_B, route_c)))
    result = cli("validate", str(path))
    assert result.code == 0
    pairs = sorted(sorted(p for p in ("route-a", "route-b", "route-c")
                          if f"policy {p}" in line) for line in _conflicts(result.out))
    assert pairs == [["route-a", "route-b"], ["route-a", "route-c"], ["route-b", "route-c"]]


def test_a_level_whose_target_and_escalate_action_disagree_is_one_rule_not_two(tmp_path, cli):
    ladder = """\
apiVersion: csi-rules/v1
kind: EscalationPolicy
metadata: {name: ladder}
spec:
  appliesTo: [incident]
  acknowledged: {field: assignee, exists: true}
  levels:
    - id: l1
      after: 10m
      target: {group: Service Desk L2}
      actions:
        - escalate: {level: 1, group: Network}
"""
    result = cli("validate", str(_write(tmp_path, ladder=ladder)))
    (line,) = _conflicts(result.out)
    assert "rule 'l1' of policy ladder" in line and "has two actions writing assignment_group" in line
    assert line.count("'l1'") == 1 and "'Service Desk L2'" in line and "'Network'" in line
    assert "ladder.yaml:8" in line and "records the other as overridden" in line
