from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csi_rules.errors import RecordError
from csi_rules.records import MISSING, parse_record


def test_times_become_aware_datetimes_and_paths_resolve():
    r = parse_record({"id": "1", "kind": "change", "planned_start": "2026-01-05T22:00:00+01:00",
                      "raw": {"u": {"vip": True}}})
    assert r.get("planned_start") == datetime(2026, 1, 5, 21, 0, tzinfo=UTC)
    assert r.get("raw.u.vip") is True
    assert r.get("raw.u.missing") is MISSING
    assert r.get("priority") is MISSING


def test_null_is_treated_as_missing():
    r = parse_record({"id": "1", "kind": "incident", "assignment_group": None})
    assert r.get("assignment_group") is MISSING


@pytest.mark.parametrize(("record", "message"), [
    ({"id": "1", "kind": "incident", "priority": "1"},
     "record 1: field priority: '1' is not of type 'integer'"),
    ({"id": "1", "kind": "incident", "priority": 7},
     "record 1: field priority: 7 is greater than the maximum of 5"),
    ({"id": "1", "kind": "ticket"},
     "record 1: field kind: 'ticket' is not one of ['incident', 'change', 'problem', 'request']"),
    ({"kind": "incident"}, "record: field id: is required"),
    ({"id": "1", "kind": "incident", "u_vip": True},
     "record 1: field (record): unknown field(s) u_vip (platform fields go under 'raw')"),
    ({"id": "1", "kind": "incident", "opened_at": "2026-01-01 10:00:00"},
     "record field opened_at: '2026-01-01 10:00:00' has no UTC offset (add 'Z' or '+01:00')"),
    ({"id": "1", "kind": "incident", "configuration_items": "db01"},
     "record 1: field configuration_items: 'db01' is not of type 'array'"),
    ([1, 2], "record: a record must be a JSON object, got list"),
])
def test_malformed_records_name_the_field(record, message):
    with pytest.raises(RecordError) as exc:
        parse_record(record)
    assert str(exc.value) == message
