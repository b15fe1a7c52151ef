"""RecordCheck (a loader's record check that remembers what passed) gives, record for record,
what checked_record gives: the same Record data and the same RecordError message, whatever was
checked before it, including values that share a class with a valid one but are not valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.errors import RecordError
from csi_rules.ingest.record_check import RecordCheck, checked_record, record_data

_AMSTERDAM_1900 = datetime(1900, 1, 1, 9).replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
TIMES = [
    datetime(2016, 3, 1, 9, tzinfo=UTC), datetime(2016, 3, 1, 9, tzinfo=timezone(timedelta(hours=1))),
    datetime(2016, 3, 1, 9, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))),
    datetime(1900, 1, 1, 9, tzinfo=timezone(_AMSTERDAM_1900.utcoffset() or timedelta(0))),
    datetime(2016, 3, 1, 9)]  # an offset in seconds (LMT); naive is no record time
POOLS: dict[str, list[Any]] = {
    "id": ["INC1", "INC2", "", 7, None],
    "state": ["new", "resolved", "code:-100", "Resolved", "code:", None, 3],
    "hold_reason": ["awaiting_caller", "waiting", None],
    "priority": [1, 5, 0, 6, 2.0, 2.5, True, "2", None],
    "reassignment_count": [0, 3, -1, 1.0, None],
    "assignee": ["Resolver 7", "", None, 5, ["x"]],
    "configuration_items": [["db01"], [], ["db01", 3], "db01", [None], None],
    "opened_at": [*TIMES, "2016-03-01T09:00:00Z", "1/3/2016", None],
    "updated_at": TIMES,
    "raw.made_sla": [True, False],
    "raw.when": TIMES,
    "unknown_field": ["x"],
}
values = {name: st.sampled_from(pool) for name, pool in POOLS.items()}
BASE: dict[str, Any] = {"id": "INC1", "state": "new",
                        "opened_at": datetime(2016, 3, 1, 9, tzinfo=UTC)}
# mostly valid records, each differing from a valid one in a field or two (or missing one)
changes = st.lists(st.one_of(*(st.tuples(st.just(k), v) for k, v in values.items())),
                   max_size=2)
records = st.lists(st.tuples(changes, st.sampled_from([None, None, None, "id", "state"])),
                   min_size=1, max_size=12).map(
    lambda rows: [{k: v for k, v in {**BASE, **dict(change)}.items() if k != dropped}
                  for change, dropped in rows])


def _outcome(check: Any, data: dict[str, Any]) -> tuple[str, Any]:
    try:
        record = check(dict(data))
    except RecordError as exc:
        return "error", str(exc)
    return "record", (record.data, list(record.data),
                      {k: v.isoformat() for k, v in record.data.items()
                       if isinstance(v, datetime)})


@settings(max_examples=400, deadline=None, derandomize=True)
@given(records)
def test_same_records_and_messages_as_checking_each_on_its_own(rows: list[dict[str, Any]]):
    memo = RecordCheck("incident")
    for values_ in rows:
        data = record_data("incident", values_)
        assert _outcome(memo, data) == _outcome(checked_record, data)


@pytest.mark.parametrize("name", list(POOLS))
def test_every_value_after_every_other_of_its_field(name: str):
    for before, after in product(POOLS[name], repeat=2):
        memo = RecordCheck("incident")
        for values_ in ({**BASE, name: before}, {**BASE, name: after}):
            data = record_data("incident", values_)
            assert _outcome(memo, data) == _outcome(checked_record, data), (before, after)


def test_a_known_class_of_value_is_taken_without_a_second_check():
    memo = RecordCheck("incident")
    opened = datetime(2016, 3, 1, 9, tzinfo=timezone(timedelta(hours=1)))
    later = opened + timedelta(days=1)
    first = memo(record_data("incident", {"id": "INC1", "state": "new", "opened_at": opened}))
    second = memo(record_data("incident", {"id": "INC2", "state": "new", "opened_at": later}))
    assert first.data["opened_at"] is not opened  # checked: through ISO text and back
    assert second.data["opened_at"] is later  # the same class of values: taken as it is


def test_a_record_without_a_required_field_is_refused_after_valid_ones():
    memo = RecordCheck("incident")
    memo(record_data("incident", {"id": "INC1", "state": "new"}))
    data = record_data("incident", {"state": "new"})
    assert _outcome(memo, data) == _outcome(checked_record, data)
    assert _outcome(memo, data)[0] == "error"
