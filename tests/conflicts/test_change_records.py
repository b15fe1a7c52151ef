"""Change records built field by field, from typed values and remembered verdicts, must be
exactly what the whole-record check makes of the same values, or fail with its very message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.conflicts.loading.change_records import ChangeRecords, field_by_field
from csi_rules.ingest.record_check import checked_record, record_data

ZONES = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2), "CEST"),
         timezone(timedelta(hours=2), "UTC+02:00"), timezone(timedelta(minutes=19, seconds=32)),
         timezone(timedelta(hours=-3, microseconds=5)), ZoneInfo("Europe/Amsterdam")]
texts = st.sampled_from(["low", "high", "Minor", "normal", "new", "code:9", "code:", "", "C1",
                         "2024-05-06T10:00:00+02:00", "2024-05-06T10:00:00", "2024-02-30T10:00Z",
                         "not a time"]) | st.text(max_size=3)
times = st.builds(lambda t, fold: t.replace(fold=fold),
                  st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(2040, 1, 1),
                               timezones=st.none() | st.sampled_from(ZONES)),
                  st.sampled_from([0, 0, 1]))
scalars = (st.none() | st.booleans() | st.integers(-1, 6)
           | st.sampled_from([0.0, -0.0, 1.0, 2.5, float("nan")]) | texts | times)
history = st.lists(st.fixed_dictionaries({"at": texts, "field": st.sampled_from(["state", ""])}),
                   max_size=2)
anything = (scalars | st.lists(scalars, max_size=3) | history
            | st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
aware = st.datetimes(timezones=st.sampled_from(ZONES))
# Mostly values the record check accepts (so that one field decides), sometimes anything.
FIELD_VALUES = {
    "id": st.sampled_from(["C1", "C2", ""]), "number": texts, "platform": texts,
    "risk": st.sampled_from(["low", "high", "very_high", "Minor", "code:1"]),
    "change_type": st.sampled_from(["standard", "normal", "emergency", "Normal"]),
    "state": st.sampled_from(["new", "assess", "code:9", "code:", "resolved"]),
    "priority": st.integers(0, 6) | st.sampled_from([1.0, True, 2.5]),
    "reassignment_count": st.integers(-1, 3) | st.sampled_from([0.0, -0.0, 1.0, False]),
    "configuration_items": st.lists(texts, max_size=3), "labels": st.lists(texts, max_size=2),
    "cab_required": st.booleans(), "planned_start": aware, "planned_end": aware | texts,
    "opened_at": aware | times, "unmapped": st.dictionaries(texts, texts, max_size=2),
    "history": history, "raw.x": anything, "raw.when": aware | st.lists(aware, max_size=2),
}
RARE = ["kind", "age_seconds", "bogus", "raw"]


@st.composite
def changes(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(FIELD_VALUES)), max_size=8, unique=True))
    if draw(st.integers(0, 9)) == 0:
        names.append(draw(st.sampled_from(RARE)))
    if draw(st.integers(0, 9)) and "id" not in names:
        names.insert(0, "id")
    return {name: draw(FIELD_VALUES.get(name, anything) if draw(st.integers(0, 5))
                       else anything) for name in names}


BUILDER = ChangeRecords()  # one for every example: what it remembers must never leak


def _typed(value: Any) -> Any:
    """A value with everything that could tell two results apart: types, zone names, folds."""
    if isinstance(value, datetime):
        zone = value.tzinfo
        return ("datetime", value.isoformat(), type(zone).__name__,
                zone.tzname(value) if zone else None, value.fold)
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


def _outcome(build: Any, values: dict[str, Any]) -> tuple[Any, ...]:
    try:
        record = build(values)
    except Exception as exc:  # the very error, whatever it is
        return ("error", type(exc).__name__, str(exc))
    return ("record", _typed(record.data))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(values=changes())
def test_field_by_field_gives_the_whole_record_checks_record_or_error(values: dict[str, Any]) -> None:
    whole = _outcome(lambda v: checked_record(record_data("change", v)), values)
    assert _outcome(BUILDER.build, values) == whole


def test_values_that_compare_equal_are_kept_apart() -> None:
    builder = ChangeRecords()
    for value in (1, 1.0, True, 0, 0.0, -0.0, False):
        for name in ("reassignment_count", "labels", "cab_required"):
            values = {"id": "C1", name: [value] if name == "labels" else value}
            assert _outcome(builder.build, values) == _outcome(
                lambda v: checked_record(record_data("change", v)), values)
    for offset in (1, 2):
        at = datetime(2024, 5, 6, 9, tzinfo=UTC).astimezone(timezone(timedelta(hours=offset)))
        assert builder.build({"id": "C1", "planned_start": at}).data["planned_start"] \
            .isoformat().endswith(f"+0{offset}:00")


def test_what_is_remembered_for_one_value_is_never_used_for_another() -> None:
    """Each pair: the first value's verdict or checked value must not be taken for the
    second's (both with the same builder, in this order)."""
    pairs = [("planned_start", datetime(2024, 5, 6, 9, tzinfo=UTC), datetime(2024, 5, 6, 9)),
             ("planned_start", "2024-05-06T09:00:00+02:00", "2024-05-06T09:00:00+01:00"),
             ("planned_start", "2024-05-06T09:00:00+02:00", "2024-05-06T09:00:00"),
             ("risk", "low", "Minor"), ("state", "new", "closed_complete"),
             ("priority", 1, 0), ("priority", 1, True), ("labels", ["a"], [1]),
             ("configuration_items", ["a"], ["b", None])]
    for name, first, second in pairs:
        builder = ChangeRecords()
        for value in (first, second):
            values = {"id": "C1", name: value}
            assert _outcome(builder.build, values) == _outcome(
                lambda v: checked_record(record_data("change", v)), values), (name, value)


def test_a_record_shares_no_list_with_the_values_it_was_built_from() -> None:
    builder = ChangeRecords()
    cis = ["db1"]
    for _ in range(2):  # the second time from what was remembered
        record = builder.build({"id": "C1", "configuration_items": cis, "labels": cis,
                                "raw.cis": cis})
        assert record.data["configuration_items"] == cis
        assert record.data["configuration_items"] is not cis
        assert record.data["labels"] is not cis and record.data["raw"]["cis"] is not cis


def test_the_record_schema_still_judges_change_fields_one_at_a_time() -> None:
    """If this fails the builder still gives the right records, but every change takes the
    slow whole-record path: the conflicts command on a big table gets far slower."""
    shape = field_by_field("change")
    assert shape is not None
    alone, type_only = shape
    assert {"id", "number", "configuration_items", "cab_required"} <= type_only
    assert {"risk", "state", "priority", "planned_start"} <= alone - type_only
