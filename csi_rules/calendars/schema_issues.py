"""Structural problems in a calendar spec, from the JSON Schema, worded for people.

jsonschema's own text for `oneOf` and `additionalProperties` is vague, so those two are
rewritten: a holiday is checked against the one form its keys select, and an unknown key gets a
"did you mean".
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from csi_rules.calendars.issues import CalendarIssue, Pointer
from csi_rules.calendars.schema import CALENDAR_SPEC_SCHEMA, HOLIDAY_FORMS
from csi_rules.suggest import unknown_name

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@cache
def _validator(schema_name: str = "") -> Draft202012Validator:
    """The calendar spec's validator (`schema_name`: a holiday form's), made on first use:
    importing jsonschema is ~0.1 s, and every command registers the Calendar kind."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(HOLIDAY_FORMS[schema_name] if schema_name
                                else CALENDAR_SPEC_SCHEMA)


_RULES = ("nth_weekday", "easter")


def holiday_form(item: dict[str, Any]) -> str | None:
    """Which holiday form an object means, judged by its keys (None: cannot tell)."""
    if "rule" in item:
        return item["rule"] if item["rule"] in _RULES else None
    for form, key in (("country", "country"), ("date", "date"), ("yearly", "month"),
                      ("yearly", "day")):
        if key in item:
            return form
    return None


def _holiday_issues(error: ValidationError, where: Pointer) -> Iterator[CalendarIssue]:
    item = error.instance
    if not isinstance(item, dict):
        yield CalendarIssue(where, f"a holiday is a date 'YYYY-MM-DD' or an object, not {item!r}")
        return
    form = holiday_form(item)
    if form is None and "rule" in item:
        yield CalendarIssue((*where, "rule"), unknown_name("holiday rule", str(item["rule"]),
                                                           _RULES))
        return
    if form is None:
        yield CalendarIssue(where, "holiday object needs 'date', 'month' and 'day', "
                                   "'rule' or 'country'")
        return
    for sub in _validator(form).iter_errors(item):
        yield from _explain(sub, (*where, *sub.absolute_path))


def _explain(error: ValidationError, where: Pointer) -> Iterator[CalendarIssue]:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = schema.get("properties", {})
        for key in error.instance:
            if key not in allowed:
                yield CalendarIssue((*where, key), unknown_name("key", str(key), allowed))
        return
    if error.validator == "oneOf" and len(where) == 2 and where[0] == "holidays":
        yield from _holiday_issues(error, where)
        return
    if error.validator == "enum" and where and isinstance(where[-1], str) and isinstance(
        error.instance, str
    ):
        valid = [str(v) for v in error.validator_value]  # type: ignore[union-attr]  # enum is a list
        yield CalendarIssue(where, unknown_name(where[-1], error.instance, valid))
        return
    yield CalendarIssue(where, error.message)


def schema_issues(spec: Any) -> list[CalendarIssue]:
    """Every structural problem in `spec`, sorted by pointer."""
    found: list[CalendarIssue] = []
    for error in _validator().iter_errors(spec):
        found.extend(_explain(error, tuple(error.absolute_path)))
    return sorted(found, key=lambda i: (tuple(map(str, i.pointer)), i.message))
