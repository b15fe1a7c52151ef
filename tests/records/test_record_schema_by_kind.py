"""The record check picks one compiled validator by the record's `kind`: it must accept and
refuse exactly the records the whole schema (every kind's rules behind `if kind == ...`) did,
so every record parses, or is refused with its message, as before."""

from __future__ import annotations

import fastjsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi_rules.errors import RecordError
from csi_rules.records import FIELDS, RECORD_KINDS, parse_record
from csi_rules.records.model import _fast_check, _fast_check_for
from csi_rules.records.vocabulary import STATES

CHECKS = settings(max_examples=400, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])

any_state = st.sampled_from(sorted({s for states in STATES.values() for s in states}))
json_scalars = (st.none() | st.booleans() | st.integers(-3, 9) | st.floats(allow_nan=False)
                | st.text(max_size=6) | any_state | st.sampled_from(["code:9", "code:", "Code:x"]))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                           max_leaves=6)
times = st.sampled_from(["2026-03-02T09:00:00Z", "2026-03-02T09:00:00+01:00",
                         "2026-03-02 09:00:00", "2026-02-30T09:00:00Z", "yesterday"])


def _plausible(name: str) -> st.SearchStrategy:
    """Values near what the field takes, so both valid and just-wrong records are common."""
    spec = FIELDS[name]
    choices: list[st.SearchStrategy] = [st.none()]
    if spec.vocabulary:
        choices.append(any_state)
    if spec.enum:
        choices.append(st.sampled_from(spec.enum))
    if spec.type in ("integer", "number"):
        choices.append(st.integers(-1, 7) | st.floats(0, 6))
    if spec.type == "datetime":
        choices.append(times)
    if spec.type == "string[]":
        choices.append(st.lists(st.text(max_size=3), max_size=3))
    if spec.type in ("string", "object", "boolean"):
        choices.append({"string": st.text(max_size=4), "object": st.dictionaries(
            st.text(max_size=3), json_values, max_size=2), "boolean": st.booleans()}[spec.type])
    return st.one_of(*choices * 6, json_values)


kinds = st.sampled_from(RECORD_KINDS) | st.sampled_from(["Incident", "ticket", "", None, 3,
                                                      ["change"], {"k": 1}, True])
field_names = st.sampled_from(sorted(n for n, s in FIELDS.items() if not s.derived))


@st.composite
def records(draw: st.DrawFn) -> dict:
    record: dict = {}
    for name in draw(st.lists(field_names, max_size=6, unique=True)):
        record[name] = draw(_plausible(name))
    if draw(st.integers(0, 9)):
        record["id"] = draw(st.just("R1")) if draw(st.integers(0, 5)) else draw(json_scalars)
    if draw(st.integers(0, 9)):
        record["kind"] = draw(kinds)
    if not draw(st.integers(0, 19)):
        record[draw(st.sampled_from(["u_vip", "State", "history"]))] = draw(json_values)
    return record


def _verdict(check, record: dict) -> bool:
    try:
        check(record)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@CHECKS
@given(record=records())
def test_the_kind_check_agrees_with_the_whole_schema(record: dict) -> None:
    assert _verdict(_fast_check_for(record.get("kind")), record) == \
        _verdict(_fast_check(None), record), record


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_each_kind_refuses_another_kinds_state_with_the_same_message(kind: str) -> None:
    foreign = next(s for k in RECORD_KINDS for s in STATES[k] if s not in STATES[kind])
    with pytest.raises(RecordError) as exc:
        parse_record({"id": "1", "kind": kind, "state": foreign})
    assert str(exc.value).startswith(f"record 1: field state: unknown {kind} state "
                                     f"{foreign!r}"), str(exc.value)
    assert parse_record({"id": "1", "kind": kind, "state": STATES[kind][0]}).kind == kind
    assert parse_record({"id": "1", "kind": kind, "state": "code:x"}).kind == kind


@pytest.mark.parametrize(("record", "message"), [
    ({"id": "1", "state": "new"}, "record 1: field kind: is required"),
    ({"id": "1", "kind": "Incident", "state": "new"},
     "record 1: field kind: 'Incident' is not one of ['incident', 'change', 'problem', "
     "'request']"),
    ({"id": "1", "kind": ["change"], "state": "new"},
     "record 1: field kind: ['change'] is not of type 'string'; field kind: ['change'] is not "
     "one of ['incident', 'change', 'problem', 'request']"),
])
def test_a_missing_or_unknown_kind_is_refused_as_before(record: dict, message: str) -> None:
    with pytest.raises(RecordError) as exc:
        parse_record(record)
    assert str(exc.value) == message
