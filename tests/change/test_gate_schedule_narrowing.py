"""The gate searches only the schedule changes that can meet the change under test
(schedule_near); on random schedules and policies that gives exactly the findings the search
over
the whole schedule gives for that change: conflicts, unplaceable changes sharing its CIs, and
its own unchecked reason."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from csi_rules.change.schedule import schedule_near
from csi_rules.conflicts import RelationshipGraph, run_conflicts, settings_from_spec
from csi_rules.records import parse_record
from tests.conflicts.test_sweep_matches_all_pairs import schedule


def findings(report: Any, change_id: str) -> tuple[Any, ...]:
    return (report.involving(change_id),
            sorted((u.change.id, u.reason, u.by_policy) for u in report.unchecked))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=schedule())
def test_the_narrowed_schedule_gives_the_same_findings(case: Any) -> None:
    raw_changes, spec, edges = case
    if not raw_changes:
        return
    change, *others = [parse_record(c) for c in raw_changes]
    policy = settings_from_spec(spec, "random")
    graph = RelationshipGraph(edges)
    whole = run_conflicts([change, *others], policy, graph)
    near = schedule_near(change, others, [policy])
    narrowed = run_conflicts([change, *near], policy, graph)
    assert narrowed.involving(change.id) == whole.involving(change.id)
    kept = {r.id for r in near}
    cis = set(change.data.get("configuration_items") or ())
    # what the gate reads from `unchecked`: the change's own reason, and others sharing a CI
    wanted = [u for u in whole.unchecked if u.change.id == change.id or (
        cis & set(next(r for r in others if r.id == u.change.id).data.get(
            "configuration_items") or ()))]
    assert all(u in narrowed.unchecked for u in wanted)
    assert all(u.change.id in kept | {change.id} for u in wanted)


def test_a_change_with_separate_windows_meets_only_inside_them() -> None:
    base = {"kind": "change", "configuration_items": ["db1"]}
    change = parse_record({**base, "id": "a", "planned_start": "2024-01-01T10:00:00Z",
                           "planned_end": "2024-01-01T12:00:00Z"})
    split = parse_record({**base, "id": "b", "planned_start": "2024-01-01T08:00:00Z",
                          "planned_end": "2024-01-01T20:00:00Z", "raw": {"planned_windows": [
                              {"start": "2024-01-01T08:00:00+00:00",
                               "end": "2024-01-01T09:00:00+00:00",
                               "configuration_items": ["db1"]},
                              {"start": "2024-01-01T19:00:00+00:00",
                               "end": "2024-01-01T20:00:00+00:00",
                               "configuration_items": ["db1"]}]}})
    later = parse_record({**base, "id": "c", "planned_start": "2024-01-02T10:00:00Z",
                          "planned_end": "2024-01-02T12:00:00Z"})
    policy = settings_from_spec({"sameCi": {}}, "p")
    near = schedule_near(change, [split, later], [policy])
    assert [r.id for r in near] == ["b"]  # the hull overlaps; the search then finds no conflict
    assert run_conflicts([change, *near], policy).involving("a") == []


def test_an_overbooked_stretch_keeps_members_that_miss_the_change() -> None:
    def ann(name: str, start: int, end: int) -> Any:
        return parse_record({"id": name, "kind": "change", "assignee": "ann",
                             "planned_start": f"2024-01-01T{start:02d}:00:00Z",
                             "planned_end": f"2024-01-01T{end:02d}:00:00Z"})

    change, others = ann("a", 10, 12), [ann("b", 11, 16), ann("c", 11, 16), ann("d", 13, 14)]
    policy = settings_from_spec({"capacity": {"resources": [{"field": "assignee"}]}}, "p")
    near = schedule_near(change, others, [policy])
    assert [r.id for r in near] == ["b", "c", "d"]  # d never overlaps a, but shares the stretch
    [stretch] = run_conflicts([change, *near], policy).involving("a")
    assert [r.id for r in stretch.changes] == ["a", "b", "c", "d"]
