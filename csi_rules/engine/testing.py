"""Seeded generators of rule groups and records for differential checks of the engine.

Used by tests/engine and `python -m bench differential`: both engines must give identical
results on everything generated here. The value pools are chosen to hit durable's known
weak spots: numeric strings next to numbers ("9" vs 10, "1" vs 1 vs True), strings that
are prefixes of each other or contain quotes, backslashes, NUL and non-ASCII text, floats
that JSON writes with exponents, huge integers, NaN and infinities, equal instants in
different UTC offsets, lists, objects, nulls and missing fields.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from csi_rules.conditions.ast import AllOf, AnyOf, Condition, Matcher, Not
from csi_rules.engine.groups import RuleGroup, RuleSpec
from csi_rules.records.fields import RECORD_KINDS
from csi_rules.records.model import Record

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
COLLIDING_IDS = ("CHG3fffdfc811", "CHG1966f0359e")  # same 32-bit FNV-1 hash in durable

STRINGS = ["", "a", "A", "ab", "ab!", "abc", "b", "network", "net", "Network", "database",
           "déjà", "日本", 'a"b', "a\\b", "😀", "\u0000x", "9", "10", "1", "1.0", "true",
           "null", "zz", "low", "high", "normal", "emergency", "approved", "gold"]
NUMBERS: list[Any] = [0, 1, 2, 3, 4, 5, 9, 10, 12, -1, 0.5, 1.0, 2.5, -0.0, 1e-07, 1e20,
                      2**53 + 1, 10**20, 3600, 86400, 86400.5, 2592000]
ODD_NUMBERS: list[Any] = [float("inf"), float("-inf"), float("nan")]
TZS = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
OFFSETS = [-400 * 86400, -30 * 86400, -86400, -3600, -1, 0, 1, 3600, 0.000001]
LISTS: list[Any] = [[], ["a"], ["network", "database"], ["9"], ["A", "a"], ["日本"]]
RAW_EXTRA: list[Any] = [[1, "a"], [True], {"k": 1}, {"z": "a"}, None]
PATTERNS = ["^a", "net", "[0-9]+", "^$", "(?i)network", "é", r"\d", r"a\\b", "^.{2}$", "b$",
            '"', "\u0000"]

STRING_FIELDS = ["category", "state", "service", "assignment_group", "change_type", "risk",
                 "approval"]
INT_FIELDS = ["priority", "reassignment_count", "impact"]
NUMBER_FIELDS = ["age_seconds", "idle_seconds"]
DATETIME_FIELDS = ["opened_at", "planned_start", "resolved_at"]
LIST_FIELDS = ["labels", "configuration_items"]
BOOL_FIELDS = ["cab_required"]
RAW_FIELDS = ["raw.x", "raw.y", "raw.nested.z", "raw.count", "raw.absent"]
OPS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "matches", "exists", "contains",
       "between"]
# selective operators more often, so that generated rules match some records, not all
OP_WEIGHTS = [4, 1, 1, 1, 1, 1, 3, 1, 2, 1, 2, 2]


def _datetime(rng: random.Random) -> datetime:
    base = NOW + timedelta(seconds=rng.choice(OFFSETS))
    return base.astimezone(rng.choice(TZS))


def _number(rng: random.Random) -> Any:
    return rng.choice(ODD_NUMBERS) if rng.random() < 0.03 else rng.choice(NUMBERS)


def any_value(rng: random.Random) -> Any:
    """A value of any type a record or rule might hold."""
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(STRINGS)
    if pick < 0.65:
        return _number(rng)
    if pick < 0.75:
        return rng.choice([True, False])
    if pick < 0.85:
        return _datetime(rng)
    if pick < 0.93:
        return list(rng.choice(LISTS))
    return rng.choice(RAW_EXTRA)


def value_for(rng: random.Random, path: str) -> Any:
    """A value that fits the field's type most of the time, and any type otherwise."""
    if rng.random() < 0.25:
        return any_value(rng)
    if path in STRING_FIELDS:
        return rng.choice(STRINGS)
    if path in INT_FIELDS:
        return rng.choice([0, 1, 2, 3, 4, 5, 9, 10, 12])
    if path in NUMBER_FIELDS:
        return rng.choice([0, 1, 3600, 86400, 86400.5, 2592000, 1e-07, -1, 1e20])
    if path in DATETIME_FIELDS:
        return _datetime(rng)
    if path in LIST_FIELDS:
        return list(rng.choice(LISTS))
    if path in BOOL_FIELDS:
        return rng.choice([True, False])
    return any_value(rng)


def random_matcher(rng: random.Random) -> Matcher:
    path = rng.choice([*STRING_FIELDS, *INT_FIELDS, *NUMBER_FIELDS, *DATETIME_FIELDS,
                       *LIST_FIELDS, *BOOL_FIELDS, *RAW_FIELDS, *RAW_FIELDS])
    op = rng.choices(OPS, OP_WEIGHTS)[0]
    value: Any
    if op in ("in", "not_in"):
        value = tuple(value_for(rng, path) for _ in range(rng.randint(0, 4)))
    elif op == "between":
        low, high = value_for(rng, path), value_for(rng, path)
        if rng.random() < 0.7 and type(low) is type(high):
            with contextlib.suppress(TypeError):
                low, high = sorted([low, high])
        value = (low, high)
    elif op == "matches":
        value = rng.choice(PATTERNS)
    elif op == "exists":
        value = rng.choice([True, False])
    elif op == "contains":
        value = rng.choice(STRINGS) if rng.random() < 0.7 else any_value(rng)
    else:
        value = value_for(rng, path)
    if isinstance(value, list):
        value = tuple(value)
    return Matcher(path, op, value)


def random_condition(rng: random.Random, depth: int = 3) -> Condition:
    pick = rng.random()
    if depth <= 0 or pick < 0.45:
        return random_matcher(rng)
    if pick < 0.70:
        return AllOf(tuple(random_condition(rng, depth - 1) for _ in range(rng.randint(0, 3))))
    if pick < 0.90:
        return AnyOf(tuple(random_condition(rng, depth - 1) for _ in range(rng.randint(0, 3))))
    return Not(random_condition(rng, depth - 1))


def random_rule_condition(rng: random.Random) -> Condition:
    """A rule's condition: usually a conjunction, so that it holds for a minority of records."""
    if rng.random() < 0.15:
        return random_condition(rng)
    return AllOf(tuple(random_condition(rng) for _ in range(rng.randint(1, 3))))


def random_groups(rng: random.Random, count: int = 6, max_rules: int = 20) -> list[RuleGroup]:
    """Groups of both hit policies over random kinds; rules are random condition trees."""
    groups = []
    for g in range(count):
        kinds = frozenset(rng.sample(RECORD_KINDS, rng.randint(1, len(RECORD_KINDS))))
        rules = tuple(RuleSpec(f"g{g}r{i}", random_rule_condition(rng))
                      for i in range(rng.randint(0, max_rules)))
        groups.append(RuleGroup(f"group{g}", "first" if g % 2 == 0 else "collect", kinds, rules))
    return groups


def threshold_group(rng: random.Random, rules: int = 150) -> RuleGroup:
    """Many range tests that hold together: more than durable's 64-entry stack in one ruleset."""
    specs = tuple(
        RuleSpec(f"t{i}", AllOf((Matcher(rng.choice(NUMBER_FIELDS), "gt", rng.randint(0, 10**6)),
                                 Matcher("raw.x", rng.choice(["ne", "exists"]), "a"))))
        for i in range(rules)
    )
    return RuleGroup("thresholds", rng.choice(["first", "collect"]), frozenset(RECORD_KINDS), specs)


def random_record_data(rng: random.Random, record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {"id": record_id, "kind": rng.choice(RECORD_KINDS)}
    for path in [*STRING_FIELDS, *INT_FIELDS, *DATETIME_FIELDS, *LIST_FIELDS, *BOOL_FIELDS,
                 "updated_at"]:
        pick = rng.random()
        if pick < 0.2:
            continue
        data[path] = None if pick < 0.3 else value_for(rng, path if path != "updated_at"
                                                        else "opened_at")
    raw: dict[str, Any] = {}
    for name in ("x", "y", "count"):
        if rng.random() < 0.8:
            raw[name] = any_value(rng) if rng.random() < 0.7 else str(rng.choice(NUMBERS))
    if rng.random() < 0.5:
        raw["nested"] = {"z": any_value(rng)} if rng.random() < 0.8 else any_value(rng)
    if rng.random() < 0.01:
        raw.update({f"extra_{i}": i for i in range(300)})  # more than durable's 255 properties
    data["raw"] = raw
    return data


def record_stream(rng: random.Random, count: int, distinct_ids: int = 8000) -> Iterator[Record]:
    """`count` records over `distinct_ids` ids; ~20% repeat an earlier record exactly."""
    ids = [*COLLIDING_IDS, *(f"INC{n:07d}" for n in range(distinct_ids - len(COLLIDING_IDS)))]
    seen: list[Record] = []
    for n in range(count):
        if seen and rng.random() < 0.2:
            yield rng.choice(seen)
            continue
        record_id = ids[n] if n < len(ids) else rng.choice(ids)
        record = Record(random_record_data(rng, record_id))
        if len(seen) < 2000:
            seen.append(record)
        else:
            seen[rng.randrange(len(seen))] = record
        yield record
