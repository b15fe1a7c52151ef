"""The sweep-based search returns exactly what the all-pairs reference returns, on random
schedules: same CIs, touching and tied windows, capacities, related-CI graphs, blackouts,
maintenance windows across a daylight-saving change, and initiatives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi_rules.conflicts import RelationshipGraph, run_conflicts, settings_from_spec, sweep
from csi_rules.conflicts.cmdb import Relationship
from csi_rules.conflicts.reference import reference_conflicts
from csi_rules.records import parse_record

# Europe/Amsterdam leaves summer time on 2024-10-27 03:00 local; the schedule straddles it.
BASE = datetime(2024, 10, 25, tzinfo=UTC)
CIS = ["app1", "app2", "db1", "srv1", "srv2"]
HIDDEN_CIS = ["san1", "net1"]  # in the graph only: related-CI paths run through them
PEOPLE = ["ann", "bob", "cem"]
GROUPS = ["dba", "net"]
TYPES = ["standard", "normal", "emergency"]
REL_TYPES = ["depends_on", "runs_on", "part_of"]

half_hours = st.integers(min_value=0, max_value=3 * 48)  # 3 days on a 30-minute grid


def _at(slot: int) -> str:
    return (BASE + timedelta(minutes=30 * slot)).isoformat()


@st.composite
def change(draw: Any, n: int) -> dict[str, Any]:
    start = draw(half_hours)
    length = draw(st.sampled_from([-2, 0, 1, 1, 2, 2, 3, 4, 4, 6, 8, 12, 16, 30]))
    data: dict[str, Any] = {
        "id": f"id{n}", "number": f"CHG{n:03d}", "kind": "change",
        "configuration_items": draw(st.lists(st.sampled_from(CIS), max_size=3, unique=True)),
        "change_type": draw(st.sampled_from([*TYPES, None])),
        "assignee": draw(st.sampled_from([*PEOPLE, None])),
        "assignment_group": draw(st.sampled_from([*GROUPS, None])),
        "raw": {"teams": draw(st.lists(st.sampled_from(["t1", "t2"]), max_size=2, unique=True))},
    }
    window = draw(st.sampled_from(["both"] * 18 + ["no_start", "no_end"]))
    if window != "no_start":
        data["planned_start"] = _at(start)
    if window != "no_end":
        data["planned_end"] = _at(start + length)
    return data


windows = st.tuples(half_hours, st.integers(1, 40)).map(
    lambda t: {"start": _at(t[0]), "end": _at(t[0] + t[1])})


@st.composite
def policy_spec(draw: Any) -> dict[str, Any]:
    types = st.lists(st.sampled_from(TYPES), max_size=2, unique=True)
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        spec["sameCi"] = {"minOverlapMinutes": draw(st.sampled_from([0, 30, 90])),
                          "ignoreChangeTypes": draw(types)}
    if draw(st.booleans()):
        spec["relatedCi"] = {
            "relationshipTypes": draw(st.lists(st.sampled_from(REL_TYPES), min_size=1,
                                               unique=True)),
            "depth": draw(st.integers(1, 3)), "minOverlapMinutes": draw(st.sampled_from([0, 60])),
            "ignoreChangeTypes": draw(types)}
    if draw(st.booleans()):
        resources = [{"field": "assignee", "capacity": draw(st.integers(1, 2)),
                      "overrides": {"ann": draw(st.integers(1, 3))}},
                     {"field": "assignment_group", "capacity": draw(st.integers(1, 3))},
                     {"field": "raw.teams", "capacity": 2}]
        spec["capacity"] = {"resources": draw(st.lists(st.sampled_from(resources), min_size=1,
                                                       max_size=3, unique_by=lambda r: r["field"])),
                            "ignoreChangeTypes": draw(types)}
    if draw(st.booleans()):
        freezes = [{"name": f"freeze{i}", **draw(windows)} for i in range(draw(st.integers(1, 3)))]
        spec["blackouts"] = {"windows": freezes, "exemptChangeTypes": draw(types)}
    if draw(st.booleans()):
        spans = st.fixed_dictionaries({
            "days": st.lists(st.sampled_from(["mon", "fri", "sat", "sun"]), min_size=1,
                             unique=True),
            "start": st.sampled_from(["00:00", "02:00", "02:30", "18:00", "22:00"]),
            "end": st.sampled_from(["03:00", "06:00", "22:00", "24:00"])})
        window_set = st.fixed_dictionaries({}, optional={
            "weekly": st.lists(spans, min_size=1, max_size=2),
            "explicit": st.lists(windows, min_size=1, max_size=2)}).filter(bool)
        maint: dict[str, Any] = {"timeZone": draw(st.sampled_from(["Europe/Amsterdam", "UTC"])),
                                 "exemptChangeTypes": draw(types)}
        if draw(st.booleans()):
            maint["default"] = draw(window_set)
        maint["cis"] = draw(st.dictionaries(st.sampled_from(CIS), window_set, max_size=2))
        spec["maintenanceWindows"] = maint
    if draw(st.booleans()):
        names = st.lists(st.sampled_from(PEOPLE), max_size=2, unique=True)
        items = [{"id": f"CSI-{i}", **draw(windows), "people": draw(names),
                  "groups": draw(st.lists(st.sampled_from(GROUPS), max_size=1)),
                  "configurationItems": draw(st.lists(st.sampled_from(CIS), max_size=2,
                                                      unique=True))}
                 for i in range(draw(st.integers(0, 3)))]
        spec["initiatives"] = {"items": items, "competeOn": draw(st.lists(
            st.sampled_from(["people", "groups", "configurationItems"]), min_size=1, unique=True))}
    return spec or {"sameCi": {}}


@st.composite
def schedule(draw: Any) -> tuple[list[dict[str, Any]], dict[str, Any], list[Relationship]]:
    changes = [draw(change(n)) for n in range(draw(st.integers(0, 20)))]
    nodes = CIS + HIDDEN_CIS
    edges = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(REL_TYPES),
                                    st.sampled_from(nodes)), max_size=12))
    return changes, draw(policy_spec()), [Relationship(*e) for e in edges]


@pytest.mark.parametrize("tiny", [sweep.TINY, 0], ids=["as-shipped", "always-sweep"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=schedule())
def test_sweep_and_all_pairs_reference_report_the_same(tiny: int, case: Any) -> None:
    # tiny=0 sends even two-change CIs through the heap sweep instead of direct comparison
    raw_changes, spec, edges = case
    records = [parse_record(c) for c in raw_changes]
    policy = settings_from_spec(spec, "random")
    graph = RelationshipGraph(edges)
    with patch.object(sweep, "TINY", tiny):
        swept = run_conflicts(records, policy, graph)
    assert swept == reference_conflicts(records, policy, graph)
    assert list(swept.conflicts) == sorted(swept.conflicts, key=lambda c: c.sort_key())
