"""Contradictions, overlaps and shadowed rules, as a hit-policy validator would report them."""

from __future__ import annotations

from typing import Any

import pytest

from csi_rules.conditions import AllOf, AnyOf, Condition, Matcher, Not, parse_condition
from csi_rules.conditions.analysis import (
    covering_rules,
    is_contradictory,
    may_overlap,
    subsumed_by,
    to_dnf,
)
from csi_rules.conditions.ast import ALWAYS
from csi_rules.conditions.normal_form import Literal


def c(raw: dict[str, Any]):
    return parse_condition(raw)


def both(*items: dict[str, Any] | Condition) -> Condition:
    """all: [...] of mappings (parsed with their pointers) or of conditions built already."""
    return AllOf(tuple(_item(x, ("all", i)) for i, x in enumerate(items)))


def either(*items: dict[str, Any] | Condition) -> Condition:
    return AnyOf(tuple(_item(x, ("any", i)) for i, x in enumerate(items)))


def _item(item: dict[str, Any] | Condition, pointer: tuple[Any, ...]) -> Condition:
    return parse_condition(item, pointer) if isinstance(item, dict) else item


P_GT3 = {"field": "priority", "gt": 3}
P_LT2 = {"field": "priority", "lt": 2}
NETWORK = {"field": "category", "eq": "network"}
DATABASE = {"field": "category", "eq": "database"}

CONTRADICTIONS = [
    (both(P_GT3, P_LT2), ("all", 1),
     "contradictory ranges on priority: gt 3 and lt 2 can never both hold"),
    (c({"field": "priority", "between": [5, 1]}), (),
     "priority between [5, 1] can never hold (low is greater than high)"),
    (both(NETWORK, DATABASE), ("all", 1),
     "contradictory values on category: eq 'network' and eq 'database' can never both hold"),
    (both({"field": "category", "in": ["a", "b"]}, {"field": "category", "in": ["c"]}),
     ("all", 1),
     "contradictory values on category: in ['a', 'b'] and in ['c'] can never both hold"),
    (c({"field": "category", "in": []}), (), "category in [] can never hold (the list is empty)"),
    (both({"field": "assignee", "exists": False}, {"field": "assignee", "eq": "bob"}), ("all", 1),
     "contradictory conditions on assignee: exists false and eq 'bob' can never both hold"),
    (both({"field": "priority", "gt": 1}, {"field": "priority", "lt": 2}), ("all", 1),
     "contradictory ranges on priority: gt 1 and lt 2 can never both hold "
     "(priority is an integer from 1 to 5)"),
    (both({"field": "priority", "gte": 2}, NETWORK, {"field": "priority", "lte": 3},
          {"field": "priority", "not_in": [2, 3]}), ("all", 3),
     "contradictory conditions on priority: gte 2 and lte 3 and not_in [2, 3] can never all hold "
     "(priority is an integer from 1 to 5)"),
    (c({"all": [{"field": "labels", "contains": "vip"},
                {"not": {"field": "labels", "contains": "vip"}}]}), ("all", 1, "not"),
     "contradictory conditions on labels: contains 'vip' and not contains 'vip' "
     "can never both hold"),
    (both({"field": "short_description", "matches": "^db"},
          {"not": {"field": "short_description", "matches": "^db"}}), ("all", 1, "not"),
     "contradictory conditions on short_description: matches '^db' and not matches '^db' "
     "can never both hold"),
    (both({"field": "risk", "ne": "low"}, {"field": "risk", "ne": "moderate"},
          {"field": "risk", "not_in": ["high", "very_high"]}, {"field": "risk", "exists": True}),
     ("all", 3), "contradictory conditions on risk: ne 'low' and ne 'moderate' and "
                 "not_in ['high', 'very_high'] and exists true can never all hold "
                 "(risk is one of 'low', 'moderate', 'high', 'very_high')"),
    (both({"field": "raw.sla", "gt": 3}, {"field": "raw.sla", "lt": 2}), ("all", 1),
     "contradictory ranges on raw.sla: gt 3 and lt 2 can never both hold"),
    (both({"field": "raw.sla", "gt": 3}, {"field": "raw.sla", "lt": "9"}), ("all", 1),
     "contradictory ranges on raw.sla: gt 3 and lt '9' can never both hold "
     "(they compare with values of different types)"),
    (both({"field": "opened_at", "gt": "2024-05-02T00:00:00Z"},
          {"field": "opened_at", "lt": "2024-05-02T01:00:00+01:00"}), ("all", 1),
     "contradictory ranges on opened_at: gt '2024-05-02T00:00:00+00:00' and "
     "lt '2024-05-02T01:00:00+01:00' can never both hold"),
    (c({"not": {"any": [{"field": "priority", "exists": False}, {"field": "priority", "gte": 1}]}}),
     ("not", "any", 1), "contradictory conditions on priority: exists true and not gte 1 "
                        "can never both hold (priority is an integer from 1 to 5)"),
    (either(both(P_GT3, P_LT2), both(NETWORK, DATABASE)), (),
     "no alternative can ever hold: contradictory ranges on priority: gt 3 and lt 2 can never "
     "both hold; contradictory values on category: eq 'network' and eq 'database' can never "
     "both hold"),
    (c({"any": []}), (), "an empty 'any' can never hold"),
    (c({"all": [NETWORK, {"not": {"all": []}}]}), ("all", 1, "not"),
     "'not' of an empty 'all' can never hold"),
]


@pytest.mark.parametrize(("cond", "pointer", "message"), CONTRADICTIONS)
def test_contradiction_is_explained(cond, pointer, message):
    issue = is_contradictory(cond)
    assert issue is not None
    assert (issue.pointer, issue.message, issue.severity) == (pointer, message, "error")


SATISFIABLE = [
    both({"field": "priority", "gt": 3}, {"field": "priority", "lt": 5}),
    both({"field": "category", "ne": "a"}, {"field": "category", "ne": "b"}),
    both({"field": "priority", "not_in": [1, 2, 3, 4, 5]}),  # a missing priority satisfies it
    both({"field": "short_description", "matches": "^db"},
         {"field": "short_description", "matches": "^web"}),  # beyond the analysis: not claimed
    both({"field": "description", "contains": "a"}, {"field": "description", "gt": "b"}),
    either(both(P_GT3, P_LT2), NETWORK),  # one dead alternative is not a dead condition
    ALWAYS,
]


@pytest.mark.parametrize("cond", SATISFIABLE)
def test_satisfiable_or_undecidable_is_not_contradictory(cond):
    assert is_contradictory(cond) is None


OVERLAPS = [
    (c(NETWORK), c({"field": "priority", "lt": 3}), "category='network', priority=1"),
    (c(NETWORK), c(DATABASE), None),
    (c({"field": "priority", "lte": 2}), c({"field": "priority", "gte": 2}), "priority=2"),
    (c({"field": "priority", "lt": 2}), c({"field": "priority", "gte": 2}), None),
    (c({"field": "priority", "ne": 1}), c({"field": "priority", "ne": 2}), "priority=3"),
    (c({"field": "priority", "not_in": [1, 2, 3, 4, 5]}), c({"field": "priority", "ne": 3}),
     "priority missing"),
    (c({"field": "assignee", "exists": False}), c({"field": "assignee", "ne": "bob"}),
     "assignee missing"),
    (c({"field": "assignee", "exists": False}), c({"field": "assignee", "eq": "bob"}), None),
    (c({"field": "labels", "contains": "vip"}), c({"not": {"field": "labels", "contains": "vip"}}),
     None),
    (c({"field": "short_description", "matches": "^db"}),
     c({"field": "short_description", "matches": "^web"}),
     "short_description matches '^db' and matches '^web' (undecided)"),
    (c({"field": "short_description", "matches": "db"}),
     c({"field": "short_description", "matches": "sql"}), "short_description='dbsql'"),
    (c({"field": "raw.tier", "contains": "gold"}), c({"field": "raw.tier", "eq": "silver"}), None),
    (c({"field": "raw.tier", "contains": "gold"}), c({"field": "raw.tier", "gt": "s"}),
     "raw.tier contains 'gold' and gt 's' (undecided)"),
    (either(NETWORK, DATABASE), c({"all": [DATABASE, {"field": "priority", "eq": 1}]}),
     "category='database', priority=1"),
    (ALWAYS, ALWAYS, "any record"),
    (c({"field": "risk", "eq": "high"}), c({"field": "risk", "in": ["low", "high"]}),
     "risk='high'"),
]


@pytest.mark.parametrize(("a", "b", "witness"), OVERLAPS)
def test_overlap_witness_or_proven_disjoint(a, b, witness):
    assert may_overlap(a, b) == witness
    assert (may_overlap(b, a) is None) == (witness is None)


def test_overlap_past_the_size_limit_is_assumed():
    wide = c({"all": [{"any": [{"field": f"raw.a{i}", "eq": 1}, {"field": f"raw.b{i}", "eq": 1}]}
                      for i in range(3)]})
    assert may_overlap(wide, c(NETWORK), limit=4) == (
        "undecided: the conditions have more than 4 alternatives")


SHADOWED = [
    (both(NETWORK, {"field": "priority", "eq": 1}), [c(P_GT3), c(NETWORK)], (1,)),
    (c({"field": "priority", "in": [1, 2]}), [c({"field": "priority", "lte": 2})], (0,)),
    (c({"field": "priority", "gt": 3}), [c({"field": "priority", "gte": 3})], (0,)),
    (c({"field": "priority", "eq": 1}), [c({"field": "priority", "exists": True})], (0,)),
    (c(NETWORK), [c(DATABASE), None], (1,)),
    (c(NETWORK), [c(DATABASE), ALWAYS], (1,)),
    (c({"field": "priority", "in": [1, 2]}),
     [c({"field": "priority", "eq": 1}), c(NETWORK), c({"field": "priority", "eq": 2})], (0, 2)),
    (c({"field": "short_description", "matches": "^db"}),
     [c({"field": "short_description", "matches": "^db"})], (0,)),
    (c({"all": [{"field": "labels", "contains": "vip"}, {"field": "priority", "eq": 1}]}),
     [c({"field": "labels", "contains": "vip"})], (0,)),
    (either(NETWORK, DATABASE), [c(DATABASE), c(NETWORK)], (0, 1)),
    (c({"not": {"field": "priority", "gt": 2}}),
     [c({"field": "priority", "lte": 2}), c({"field": "priority", "exists": False})], (0, 1)),
]


@pytest.mark.parametrize(("later", "earlier", "covering"), SHADOWED)
def test_unreachable_rule_names_the_rules_that_shadow_it(later, earlier, covering):
    assert covering_rules(later, earlier) == covering
    assert subsumed_by(later, earlier) == covering[-1]


REACHABLE = [
    (c({"field": "priority", "lte": 2}), [c({"field": "priority", "eq": 1})]),
    # records without a priority reach the later rule
    (c({"field": "priority", "ne": 1}), [c({"field": "priority", "exists": True})]),
    (c({"not": {"field": "priority", "gt": 2}}), [c({"field": "priority", "lte": 2})]),
    (c({"field": "short_description", "matches": "^db"}),
     [c({"field": "short_description", "matches": "db"})]),  # true, but not provable here
    (c({"field": "raw.u_tier", "eq": 1}), [c({"field": "raw.u_tier", "eq": True})]),  # no coercion
    (both(P_GT3, P_LT2), [c(NETWORK)]),  # never matches: is_contradictory's finding, not this
    (c(NETWORK), []),
]


@pytest.mark.parametrize(("later", "earlier"), REACHABLE)
def test_reachable_or_unprovable_rule_is_not_reported(later, earlier):
    assert covering_rules(later, earlier) is None
    assert subsumed_by(later, earlier) is None


def test_dnf_pushes_negation_into_the_matchers():
    cond = c({"not": {"all": [{"field": "priority", "eq": 1}, {"field": "category", "lt": "m"}]}})
    assert to_dnf(cond) == [
        (Literal(Matcher("priority", "ne", 1)),),
        (Literal(Matcher("category", "lt", "m"), negated=True),),
    ]
    assert [lit.matcher.pointer for (lit,) in to_dnf(cond)] == [("not", "all", 0),
                                                                ("not", "all", 1)]


def test_dnf_of_and_over_ors_multiplies_out():
    cond = both(either(NETWORK, DATABASE), {"field": "priority", "exists": False})
    assert [[lit.describe() for lit in conj] for conj in to_dnf(cond)] == [
        ["eq 'network'", "exists false"], ["eq 'database'", "exists false"]]


def test_dnf_constants_and_limit():
    assert to_dnf(ALWAYS) == [()]
    assert to_dnf(AnyOf(())) == []
    assert to_dnf(Not(AllOf(()))) == []
    nine_pairs = AllOf(tuple(AnyOf((Matcher(f"raw.a{i}", "eq", 1), Matcher(f"raw.b{i}", "eq", 1)))
                             for i in range(9)))
    assert to_dnf(nine_pairs) is None  # 512 alternatives
    assert to_dnf(nine_pairs, limit=512) is not None
