"""The analyses never claim more than evaluate.py bears out, checked against every record.

Each example picks up to three fields, builds random conditions over them (including ill-typed
ones: the analysis must stay sound whatever the type checker would say) and then runs every
combination of a pool of record values for those fields through evaluate(). The pools hold the
values the conditions mention plus values just beside and between them, where a wrong
"impossible" or "implied" would show.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi_rules.conditions import AllOf, AnyOf, Condition, Matcher, Not
from csi_rules.conditions.analysis import (
    covering_rules,
    is_contradictory,
    may_overlap,
    subsumed_by,
    to_dnf,
)
from csi_rules.conditions.evaluate import evaluate
from csi_rules.conditions.solver import SAT, holds, solve
from csi_rules.records import MISSING, Record

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T0_ELSEWHERE = datetime(2024, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))  # same instant
T1 = datetime(2024, 1, 2, tzinfo=UTC)
T2 = datetime(2024, 1, 3, tzinfo=UTC)
TICK = timedelta(microseconds=1)

# field -> (values conditions compare with, values records hold besides missing)
POOLS: dict[str, tuple[list[Any], list[Any]]] = {
    "priority": ([0, 1, 2, 3, 5, 6, 2.5, "2", True], [1, 2, 3, 4, 5]),
    "category": (["", "a", "b", "ab", 1], ["", "a", "a\0", "aa", "ab", "b", "ba", "c"]),
    "risk": (["low", "high", "bogus"], ["low", "moderate", "high", "very_high"]),
    "labels": (["a", "b", 1], [[], ["a"], ["b"], ["a", "b"], ["c"]]),
    "opened_at": ([T0, T0_ELSEWHERE, T1, T2, "2024-01-01"],
                  [T0 - timedelta(days=1), T0, T0 + TICK, T0 + timedelta(hours=12), T1, T2,
                   T2 + timedelta(days=1)]),
    "cab_required": ([True, False, 1], [True, False]),
    "age_seconds": ([0, 1.5, 3, -1, True], [-2, -1, -0.5, 0, 0.5, 1.5, 2, 3, 4.25]),
    "reopen_count": ([0, 2, -1, 1.5], [0, 1, 2, 3, 4]),  # a minimum but no maximum
    "raw.x": (["a", "b", 1, 2.5, True],
              [1, 2, 2.5, 3, "a", "b", "ab", "", True, False, ["a"], {}]),
}
PATTERNS = ["^a", "b$", "a|b", "^$", "a.*b", "^a$"]
OPERATORS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "between", "matches",
             "contains", "exists"]


@st.composite
def matcher(draw: st.DrawFn, fields: list[str]) -> Matcher:
    path = draw(st.sampled_from(fields))
    op = draw(st.sampled_from(OPERATORS))
    consts = st.sampled_from(POOLS[path][0])
    if op in ("in", "not_in"):
        value: Any = tuple(draw(st.lists(consts, max_size=3)))
    elif op == "between":
        value = (draw(consts), draw(consts))
    elif op == "matches":
        value = draw(st.sampled_from(PATTERNS))
    elif op == "exists":
        value = draw(st.booleans())
    else:
        value = draw(consts)
    return Matcher(path, op, value)


def conditions(fields: list[str]) -> st.SearchStrategy[Condition]:
    def combine(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
        items = st.lists(children, min_size=1, max_size=3).map(tuple)
        return st.one_of(items.map(AllOf), items.map(AnyOf), children.map(Not))

    return st.recursive(matcher(fields), combine, max_leaves=6)


field_sets = st.lists(st.sampled_from(sorted(POOLS)), min_size=1, max_size=3, unique=True)


def records(fields: list[str]) -> list[Record]:
    """Every combination of pool values (or missing) for `fields`."""
    choices = [[MISSING, *POOLS[f][1]] for f in fields]
    out = []
    for combo in itertools.product(*choices):
        data: dict[str, Any] = {"id": "1", "kind": "change"}
        for path, value in zip(fields, combo, strict=True):
            if value is MISSING:
                continue
            if path.startswith("raw."):
                data.setdefault("raw", {})[path[4:]] = value
            else:
                data[path] = value
        out.append(Record(data))
    return out


def satisfies(cond: Condition, record: Record) -> bool:
    return evaluate(cond, record.get)


SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_disjoint_means_no_record_satisfies_both(data: st.DataObject) -> None:
    fields = data.draw(field_sets)
    a, b = data.draw(conditions(fields)), data.draw(conditions(fields))
    if may_overlap(a, b) is None:
        both = [r.data for r in records(fields) if satisfies(a, r) and satisfies(b, r)]
        assert not both, f"may_overlap said disjoint, but {both[0]} satisfies both"


@SETTINGS
@given(st.data())
def test_covered_rule_never_matches_alone(data: st.DataObject) -> None:
    fields = data.draw(field_sets)
    rules = data.draw(st.lists(conditions(fields), min_size=2, max_size=4))
    for j in range(1, len(rules)):
        covering = covering_rules(rules[j], rules[:j])
        assert subsumed_by(rules[j], rules[:j]) == (None if covering is None else covering[-1])
        if covering is None:
            continue
        for r in records(fields):
            if satisfies(rules[j], r):
                assert any(satisfies(rules[i], r) for i in covering), (
                    f"rule {j} said covered by {covering}, but {r.data} reaches it")


@SETTINGS
@given(st.data())
def test_contradictory_means_no_record_satisfies(data: st.DataObject) -> None:
    fields = data.draw(field_sets)
    cond = data.draw(conditions(fields))
    if is_contradictory(cond) is not None:
        hits = [r.data for r in records(fields) if satisfies(cond, r)]
        assert not hits, f"called contradictory, but {hits[0]} satisfies it"


@SETTINGS
@given(st.data())
def test_dnf_means_the_same_and_witnesses_are_real(data: st.DataObject) -> None:
    fields = data.draw(field_sets)
    cond = data.draw(conditions(fields))
    dnf = to_dnf(cond)
    assert dnf is not None  # six leaves stay far below the limit
    for r in records(fields):
        by_dnf = any(all(holds(lit, r.get(lit.path)) for lit in conj) for conj in dnf)
        assert by_dnf == satisfies(cond, r), r.data
    for conj in dnf:
        solution = solve(conj)
        if solution.status == SAT:
            witness = {p: v for p, v in solution.values.items() if v is not MISSING}
            assert all(holds(lit, witness.get(lit.path, MISSING)) for lit in conj)
