"""validate warns about policies that fight: rules that can both match one record and set the
same field to different values, with both places and an example record."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    sla = (POLICIES / "sla" / "incident-sla.yaml").read_text()
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


@pytest.mark.parametrize("policy", ["incident-routing", "unacknowledged-high-priority"])
def test_the_shipped_policies_fight_and_validate_says_so(cli, policy):
    """Reported to the lead (policies/ is theirs): routing and escalation assign different
    groups to one unassigned P1; the SLA breach escalates to level 2 beside a ladder's 1 and 3."""
    lines = _conflicts(cli("validate", str(POLICIES)).out)
    assert any(policy in line for line in lines)
