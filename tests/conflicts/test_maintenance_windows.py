"""Maintenance windows: weekly local spans (across daylight saving) and explicit windows."""

from __future__ import annotations

from typing import Any

from csi_rules.conflicts import run_conflicts, settings_from_spec
from csi_rules.records import parse_record


def _change(n: int, start: str, end: str, cis: list[str], **extra: Any) -> Any:
    return parse_record({"id": f"c{n}", "number": f"CHG{n}", "kind": "change",
                         "planned_start": start, "planned_end": end,
                         "configuration_items": cis, **extra})


def _outside(spec: dict[str, Any], *changes: Any) -> list[tuple[str, tuple[str, ...], str, str]]:
    report = run_conflicts(changes, settings_from_spec({"maintenanceWindows": spec}))
    return [(c.changes[0].label, c.subjects, c.start.isoformat(), c.end.isoformat())
            for c in report.conflicts]


WEEKEND_NIGHTS = {"timeZone": "Europe/Amsterdam", "default": {"weekly": [
    {"days": ["sat"], "start": "18:00", "end": "24:00"},
    {"days": ["sun"], "start": "00:00", "end": "06:00"}]}}


def test_a_change_across_two_touching_spans_is_inside() -> None:
    # Saturday 20:00 to Sunday 02:00 local runs from one span straight into the next.
    inside = _change(1, "2024-06-01T20:00:00+02:00", "2024-06-02T02:00:00+02:00", ["db1"])
    assert _outside(WEEKEND_NIGHTS, inside) == []


def test_the_first_stretch_outside_is_the_conflict_window() -> None:
    late = _change(2, "2024-06-02T05:00:00+02:00", "2024-06-02T09:00:00+02:00", ["db1", "db2"])
    assert _outside(WEEKEND_NIGHTS, late) == [
        ("CHG2", ("db1", "db2"), "2024-06-02T04:00:00+00:00", "2024-06-02T07:00:00+00:00")]


def test_weekly_spans_follow_local_time_across_the_autumn_clock_change() -> None:
    # Night of 26/27 Oct 2024 in Amsterdam: 22:00 CEST (20:00Z) to 06:00 CET (05:00Z), 9 hours.
    spec = {"timeZone": "Europe/Amsterdam",
            "default": {"weekly": [{"days": ["sat"], "start": "22:00", "end": "06:00"}]}}
    fits = _change(3, "2024-10-26T20:00:00Z", "2024-10-27T05:00:00Z", ["app1"])
    overruns = _change(4, "2024-10-26T20:00:00Z", "2024-10-27T05:30:00Z", ["app1"])
    assert _outside(spec, fits, overruns) == [
        ("CHG4", ("app1",), "2024-10-27T05:00:00+00:00", "2024-10-27T05:30:00+00:00")]


def test_ci_windows_replace_the_default_and_unlisted_cis_without_default_are_not_checked() -> None:
    spec = {"cis": {"db1": {"explicit": [{"start": "2024-06-03T00:00:00Z",
                                          "end": "2024-06-03T04:00:00Z"}]}}}
    on_db1 = _change(5, "2024-06-03T01:00:00Z", "2024-06-03T03:00:00Z", ["db1", "web9"])
    late_on_db1 = _change(6, "2024-06-03T03:00:00Z", "2024-06-03T05:00:00Z", ["db1"])
    assert _outside(spec, on_db1, late_on_db1) == [
        ("CHG6", ("db1",), "2024-06-03T04:00:00+00:00", "2024-06-03T05:00:00+00:00")]


def test_exempt_change_types_may_run_outside_the_windows() -> None:
    spec = {**WEEKEND_NIGHTS, "exemptChangeTypes": ["emergency"]}
    urgent = _change(7, "2024-06-04T10:00:00Z", "2024-06-04T11:00:00Z", ["db1"],
                     change_type="emergency")
    assert _outside(spec, urgent) == []


def test_a_round_the_clock_set_accepts_any_change_and_long_changes_stay_cheap() -> None:
    round_the_clock = {"default": {"weekly": [
        {"days": ["tue", "wed", "thu", "fri", "sat"], "start": "00:00", "end": "24:00"},
        {"days": ["sun"], "start": "00:00", "end": "12:00"},
        {"days": ["sun"], "start": "12:00", "end": "06:00"},  # overnight into Monday
        {"days": ["mon"], "start": "06:00", "end": "24:00"}]}}
    decades = _change(8, "2024-06-03T10:00:00Z", "2204-06-03T10:00:00Z", ["db1"])
    assert _outside(round_the_clock, decades) == []
    # Nights only: the same 180-year change is outside from its first morning, found at once.
    assert _outside(WEEKEND_NIGHTS, decades) == [
        ("CHG8", ("db1",), "2024-06-03T10:00:00+00:00", "2024-06-08T16:00:00+00:00")]
