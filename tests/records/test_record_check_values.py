"""Mapped values become record values: datetimes as ISO text (also inside lists), lists copied,
everything else as it is. The shortcuts for plain values must give what the rule says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.ingest.record_check import checked_record, json_value, record_data

times = st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=1))]))
leaves = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
          | st.text(max_size=5) | times | st.dictionaries(st.text(max_size=3), st.integers(),
                                                          max_size=2))
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4), max_leaves=10)


def _rule(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_rule(v) for v in value]
    return value


def _lists_copied(before: Any, after: Any) -> bool:
    if isinstance(before, list):
        return after is not before and all(map(_lists_copied, before, after))
    return True


@settings(max_examples=300, deadline=None, derandomize=True)
@given(value=values)
def test_json_value_follows_the_rule_and_copies_lists(value: Any) -> None:
    out = json_value(value)
    assert out == _rule(value)
    assert _lists_copied(value, out)


def test_a_mapped_change_keeps_its_values_and_shares_no_list_with_the_mapping() -> None:
    cis = ["db01", "db02"]
    kinds = ["hardware"]
    start = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=1)))
    values = {"id": "C1", "configuration_items": cis, "planned_start": start,
              "raw.ci_types": kinds, "raw.when": [start], "priority": 2}
    record = checked_record(record_data("change", values))
    assert record.data["configuration_items"] == cis
    assert record.data["configuration_items"] is not cis
    assert record.data["raw"] == {"ci_types": ["hardware"], "when": [start.isoformat()]}
    assert record.data["raw"]["ci_types"] is not kinds
    assert record.get("planned_start") == start and record.get("priority") == 2
