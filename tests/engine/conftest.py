"""Helpers for engine tests: records and groups built from plain dicts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from csi_rules.conditions import parse_condition
from csi_rules.engine.groups import RuleGroup, RuleSpec
from csi_rules.engine.matcher import DurableMatcher
from csi_rules.engine.testing import NOW
from csi_rules.records import parse_record
from csi_rules.records.fields import RECORD_KINDS
from csi_rules.records.model import Record

ALL_KINDS = frozenset(RECORD_KINDS)


def record(**fields: Any) -> Record:
    """A schema-validated record; id and kind default to something valid."""
    data = {"id": "INC1", "kind": "incident", **fields}
    return parse_record(data)


def group(group_id: str, hit: str, rules: dict[str, dict[str, Any]],
          kinds: frozenset[str] = ALL_KINDS) -> RuleGroup:
    specs = tuple(RuleSpec(key, parse_condition(cond)) for key, cond in rules.items())
    return RuleGroup(group_id, hit, kinds, specs)  # type: ignore[arg-type]


@pytest.fixture
def now() -> Any:
    return NOW


@pytest.fixture
def inline() -> Iterator[Any]:
    """Factory for inline matchers, closed after the test."""
    made: list[DurableMatcher] = []

    def make(groups: list[RuleGroup], **kw: Any) -> DurableMatcher:
        m = DurableMatcher(groups, isolation="inline", **kw)
        made.append(m)
        return m

    yield make
    for m in made:
        m.close()
