"""Differential test, N-version: the compiled matcher, durable-rules (behind the projection)
and the reference agree on 200,000 generated records over generated rule groups, with zero
disagreements."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from csi_rules.conditions.ast import matchers
from csi_rules.engine.compiled import CompiledMatcher
from csi_rules.engine.matcher import DurableMatcher
from csi_rules.engine.reference import ReferenceMatcher
from csi_rules.engine.testing import (
    BOOL_FIELDS,
    COLLIDING_IDS,
    DATETIME_FIELDS,
    INT_FIELDS,
    LIST_FIELDS,
    NOW,
    NUMBER_FIELDS,
    OPS,
    RAW_FIELDS,
    STRING_FIELDS,
    random_groups,
    record_stream,
    threshold_group,
)

ROUNDS = 4
PER_ROUND = 50_000
CHUNK = 10_000
FIELD_TYPES = {"string": STRING_FIELDS, "integer": INT_FIELDS, "number": NUMBER_FIELDS,
               "datetime": DATETIME_FIELDS, "string[]": LIST_FIELDS, "boolean": BOOL_FIELDS,
               "raw": RAW_FIELDS}


def _compare(matcher: DurableMatcher, reference: ReferenceMatcher, records: list,
             compiled: CompiledMatcher | None = None) -> tuple:
    """(disagreements, reference results); the reference runs in a thread of the test while
    the worker process runs durable (and this thread then runs the compiled matcher)."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(reference.match_many, records, NOW)
        got = matcher.match_many(records, NOW)
        fast = compiled.match_many(records, NOW) if compiled is not None else got
        want = future.result()
    bad = [(r.data, g, f, w) for r, g, f, w in zip(records, got, fast, want, strict=True)
           if not g == f == w]
    return bad, want


@pytest.mark.slow
def test_compiled_durable_and_reference_agree_on_200k_records() -> None:
    ops: Counter[str] = Counter()
    field_types: Counter[str] = Counter()
    policies: Counter[str] = Counter()
    ids: set[str] = set()
    repeats = matches = total = 0
    bad: list = []
    for round_no in range(ROUNDS):
        rng = random.Random(1000 + round_no)
        groups = random_groups(rng, count=3, max_rules=15)
        for g in groups:
            policies[g.hit_policy] += 1
            for spec in g.rules:
                for m in matchers(spec.condition):
                    ops[m.op] += 1
                    field_types.update(t for t, paths in FIELD_TYPES.items() if m.path in paths)
        reference, compiled = ReferenceMatcher(groups), CompiledMatcher(groups)
        with DurableMatcher(groups) as matcher:
            stream = record_stream(rng, PER_ROUND)
            while chunk := list(itertools.islice(stream, CHUNK)):
                ids.update(r.id for r in chunk)
                repeats += len(chunk) - len({id(r) for r in chunk})  # same object again
                wrong, want = _compare(matcher, reference, chunk, compiled)
                bad += wrong
                total += len(chunk)
                matches += sum(len(keys) for res in want for keys in res.values())
            assert matcher.restarts == 0
    assert bad == []
    assert total >= 200_000
    assert set(ops) == set(OPS), "every operator is exercised"
    assert set(field_types) == set(FIELD_TYPES), "every field type is exercised"
    assert set(policies) == {"first", "collect"}
    assert len(ids) > 5_000 and set(COLLIDING_IDS) <= ids
    assert repeats > 10_000, "the same record objects are evaluated again"
    assert 0.5 < matches / total < 20, "rules match sometimes, not never or always"


def test_groups_split_across_rulesets_agree_with_the_reference() -> None:
    rng = random.Random(77)
    for hit in ("first", "collect"):
        group = threshold_group(rng, rules=100)
        group = type(group)(group.group_id, hit, group.kinds, group.rules)  # type: ignore[arg-type]
        groups = [group, *random_groups(rng, count=2, max_rules=10)]
        records = list(record_stream(rng, 2_000))
        with DurableMatcher(groups, isolation="inline") as matcher:
            assert len(matcher.program.groups[0].shards) > 1
            assert _compare(matcher, ReferenceMatcher(groups), records,
                            CompiledMatcher(groups))[0] == []


def test_compiled_agrees_with_the_reference_on_40k_records() -> None:
    """The fast part of the suite's N-version check (the 200k run above is marked slow)."""
    bad = total = 0
    for round_no in range(2):
        rng = random.Random(5000 + round_no)
        groups = random_groups(rng, count=6, max_rules=20)
        compiled, reference = CompiledMatcher(groups), ReferenceMatcher(groups)
        records = list(record_stream(rng, 20_000))
        got, want = compiled.match_many(records, NOW), reference.match_many(records, NOW)
        bad += sum(g != w for g, w in zip(got, want, strict=True))
        total += len(records)
    assert (bad, total) == (0, 40_000)
