from __future__ import annotations

from datetime import datetime

from csi_rules.engine.reference import ReferenceMatcher

from .conftest import group, record

RULES = {
    "p1": {"field": "priority", "eq": 1},
    "net": {"field": "category", "eq": "network"},
    "any": {"all": []},
}


def test_first_returns_only_the_first_matching_rule(now: datetime) -> None:
    m = ReferenceMatcher([group("g", "first", RULES)])
    assert m.match(record(priority=1, category="network"), now) == {"g": ["p1"]}
    assert m.match(record(priority=2, category="network"), now) == {"g": ["net"]}


def test_collect_returns_every_matching_rule_in_order(now: datetime) -> None:
    m = ReferenceMatcher([group("g", "collect", RULES)])
    assert m.match(record(priority=1, category="network"), now) == {"g": ["p1", "net", "any"]}


def test_groups_for_other_kinds_yield_nothing(now: datetime) -> None:
    m = ReferenceMatcher([group("g", "collect", RULES, kinds=frozenset({"change"}))])
    assert m.match(record(priority=1), now) == {"g": []}
