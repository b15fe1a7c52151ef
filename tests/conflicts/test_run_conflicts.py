"""run_conflicts on small schedules a change manager could check on paper."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from csi_rules.conflicts import RelationshipGraph, run_conflicts, settings_from_spec
from csi_rules.conflicts.cmdb import Relationship
from csi_rules.errors import UsageError
from csi_rules.records import parse_record


def change(n: int, start: str | None, end: str | None, cis: tuple[str, ...] = (),
           **extra: Any) -> Any:
    data: dict[str, Any] = {"id": f"c{n}", "number": f"CHG{n}", "kind": "change",
                            "configuration_items": list(cis), **extra}
    if start:
        data["planned_start"] = f"2024-05-06T{start}:00Z"
    if end:
        data["planned_end"] = f"2024-05-06T{end}:00Z"
    return parse_record(data)


def summary(report: Any) -> list[tuple[Any, ...]]:
    return [(c.check, c.severity, [r.label for r in c.changes], list(c.subjects),
             c.start.strftime("%H:%M"), c.end.strftime("%H:%M")) for c in report.conflicts]


def test_same_ci_reports_each_pair_once_with_every_shared_ci() -> None:
    changes = [change(1, "09:00", "11:00", ("db1", "app1")),
               change(2, "10:00", "12:00", ("app1", "db1")),
               change(3, "11:00", "13:00", ("db1",)),  # touches CHG1 at 11:00: no conflict
               change(4, "10:30", "10:45", ("web1",))]
    report = run_conflicts(changes, settings_from_spec({"sameCi": {}}))
    assert summary(report) == [
        ("sameCi", "blocking", ["CHG1", "CHG2"], ["app1", "db1"], "10:00", "11:00"),
        ("sameCi", "blocking", ["CHG2", "CHG3"], ["db1"], "11:00", "12:00")]
    assert report.conflicts[0].explanation == (
        "CHG1 and CHG2 are both planned on app1 and db1 at the same time, for 1 h.")


def test_min_overlap_and_ignored_types_leave_short_or_routine_overlaps_out() -> None:
    changes = [change(1, "09:00", "11:00", ("db1",)), change(2, "10:45", "12:00", ("db1",)),
               change(3, "09:00", "12:00", ("db1",), change_type="standard")]
    spec = {"sameCi": {"minOverlapMinutes": 30, "ignoreChangeTypes": ["standard"]}}
    assert summary(run_conflicts(changes, settings_from_spec(spec))) == []


def test_related_ci_goes_through_the_graph_and_skips_pairs_already_reported() -> None:
    graph = RelationshipGraph([Relationship("app1", "runs_on", "vm1"),
                               Relationship("vm1", "runs_on", "host1")])
    changes = [change(1, "09:00", "11:00", ("app1",)), change(2, "10:00", "12:00", ("host1",)),
               change(3, "10:00", "12:00", ("app1", "vm1"))]
    spec = {"sameCi": {}, "relatedCi": {"relationshipTypes": ["runs_on"], "depth": 2}}
    report = run_conflicts(changes, settings_from_spec(spec), graph)
    assert summary(report) == [
        ("sameCi", "blocking", ["CHG1", "CHG3"], ["app1"], "10:00", "11:00"),
        ("relatedCi", "advisory", ["CHG1", "CHG2"], ["app1~host1"], "10:00", "11:00"),
        ("relatedCi", "advisory", ["CHG2", "CHG3"], ["app1~host1", "host1~vm1"], "10:00",
         "12:00")]
    assert report.conflicts[1].explanation == (
        "CHG1 and CHG2 overlap for 1 h on related CIs app1 and host1 (app1 runs_on vm1; "
        "vm1 runs_on host1).")


def test_related_ci_without_a_graph_is_refused_rather_than_skipped() -> None:
    spec = settings_from_spec({"relatedCi": {"relationshipTypes": ["runs_on"]}})
    with pytest.raises(UsageError, match="needs a CMDB relationship graph"):
        run_conflicts([], spec)


def test_a_relationship_type_missing_from_the_graph_is_noted() -> None:
    spec = settings_from_spec({"relatedCi": {"relationshipTypes": ["runs_on", "hosted_on"]}})
    report = run_conflicts([], spec, RelationshipGraph([Relationship("a", "runs_on", "b")]))
    assert report.notes == ("relatedCi: the CMDB graph has no relationships of type hosted_on",)


def test_capacity_counts_concurrent_changes_per_person_with_overrides() -> None:
    changes = [change(1, "09:00", "12:00", assignee="ann"),
               change(2, "10:00", "11:00", assignee="ann"),
               change(3, "09:00", "10:00", assignee="bob"),
               change(4, "09:30", "10:30", assignee="bob"),
               change(5, "09:45", "10:15", assignee="bob")]
    spec = {"capacity": {"resources": [{"field": "assignee", "capacity": 1,
                                        "overrides": {"bob": 2}}]}}
    report = run_conflicts(changes, settings_from_spec(spec))
    assert summary(report) == [
        ("capacity", "advisory", ["CHG3", "CHG4", "CHG5"], ["assignee:bob"], "09:45", "10:00"),
        ("capacity", "advisory", ["CHG1", "CHG2"], ["assignee:ann"], "10:00", "11:00")]
    assert report.conflicts[1].explanation == (
        "assignee ann is booked by up to 2 changes at once (capacity 1) for 1 h; 2 changes "
        "are involved.")


def test_blackouts_exempt_emergencies() -> None:
    changes = [change(1, "09:00", "11:00"), change(2, "10:00", "12:00", change_type="emergency")]
    spec = {"blackouts": {"exemptChangeTypes": ["emergency"], "windows": [
        {"name": "release freeze", "start": "2024-05-06T10:30:00Z",
         "end": "2024-05-06T18:00:00Z"}]}}
    assert summary(run_conflicts(changes, settings_from_spec(spec))) == [
        ("blackouts", "blocking", ["CHG1"], ["release freeze"], "10:30", "11:00")]


def test_initiatives_compete_with_changes_and_each_other_for_people_and_cis() -> None:
    changes = [change(1, "09:00", "11:00", ("db1",), assignee="ann"),
               change(2, "09:00", "11:00", ("web1",), assignee="bob")]
    spec = {"initiatives": {"items": [
        {"id": "CSI-1", "title": "faster restores", "start": "2024-05-06T10:00:00Z",
         "end": "2024-05-06T16:00:00Z", "people": ["ann"], "configurationItems": ["db1"]},
        {"id": "CSI-2", "start": "2024-05-06T15:00:00Z", "end": "2024-05-06T17:00:00Z",
         "people": ["ann"]}]}}
    report = run_conflicts(changes, settings_from_spec(spec))
    assert summary(report) == [
        ("initiatives", "advisory", ["CHG1", "CSI-1"], ["configurationItems:db1", "people:ann"],
         "10:00", "11:00"),
        ("initiatives", "advisory", ["CSI-1", "CSI-2"], ["people:ann"], "15:00", "16:00")]
    assert report.conflicts[0].explanation == (
        "change CHG1 and initiative CSI-1 both need configurationItems:db1 and people:ann "
        "during the same 1 h.")


def test_changes_without_a_usable_window_are_listed_with_the_reason() -> None:
    changes = [change(1, None, None), change(2, "10:00", None), change(3, None, "10:00"),
               change(4, "10:00", "10:00"), change(5, "11:00", "10:00"), change(6, "09:00", "10:00"),
               change(6, "09:00", "10:00")]
    report = run_conflicts(changes, settings_from_spec({"sameCi": {}}))
    assert report.changes_checked == 1
    assert [(u.change.label, u.reason) for u in report.unchecked] == [
        ("CHG1", "no planned window (planned_start and planned_end are missing)"),
        ("CHG2", "planned_end is missing"),
        ("CHG3", "planned_start is missing"),
        ("CHG4", "empty planned window: planned_end equals planned_start "
                 "(2024-05-06T10:00:00+00:00)"),
        ("CHG5", "planned_end 2024-05-06T10:00:00+00:00 is before planned_start "
                 "2024-05-06T11:00:00+00:00"),
        ("CHG6", "duplicate id 'c6' (already used by CHG6)")]


def test_a_gate_can_ask_for_the_conflicts_of_one_change() -> None:
    changes = [change(1, "09:00", "11:00", ("db1",)), change(2, "10:00", "12:00", ("db1",)),
               change(3, "13:00", "14:00", ("db1",))]
    report = run_conflicts(changes, settings_from_spec({"sameCi": {}}))
    assert [c.changes for c in report.involving("c2")] == [report.conflicts[0].changes]
    assert report.involving("c3") == [] and len(report.blocking) == 1


def test_the_garbage_collector_is_left_as_it_was() -> None:
    assert gc.isenabled()
    run_conflicts([change(1, "09:00", "10:00")], settings_from_spec({"sameCi": {}}))
    assert gc.isenabled()
    gc.disable()
    try:
        run_conflicts([change(1, "09:00", "10:00")], settings_from_spec({"sameCi": {}}))
        assert not gc.isenabled()
    finally:
        gc.enable()
