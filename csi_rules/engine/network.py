"""A model of durable's alpha network, to reject rulesets that would hit its fixed limits.

durable-rules evaluates a message by walking its alpha network with an explicit stack of
64 entries (`MAX_STACK_SIZE`, events.c): every child test that matches is pushed at once,
so 65 rules whose first test all hold for one record fail that record with error 303 at
run time. Nodes also hold at most 512 child tests, 128 `$or` links and 256 rules
(`NEXT_BUCKET_LENGTH`, `NEXT_LIST_LENGTH`, `BETA_LIST_LENGTH`, rules.h); one rule may use at
most 15 `$and`/`$or` nodes (each appends two entries to a 32-entry expression sequence,
`MAX_SEQUENCE_EXPRESSIONS`: error 113 when the ruleset is created); and a message carries
at most 255 properties. The compiler builds the same network here (durable shares a test
when parent, property, operator and value are equal; each `$or` gets a fresh forward node)
and splits a group into several rulesets until every limit holds with a margin.

The stack bound counts, per node, how many children can match *at once*: equality tests
on one property count once (distinct constants exclude each other), every other test and
every `$or` link counts in full. It is an upper bound: the real walk pushes at most that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

STACK_LIMIT = 60  # durable: 64
MAX_CHILD_TESTS = 480  # durable: 511 per node
MAX_FORWARD_LINKS = 120  # durable: 127 per node
MAX_RULES_PER_NODE = 240  # durable: 255 per node
MAX_LOGIC_NODES = 14  # durable: 15 `$and`/`$or` per rule (measured)
MAX_PROPERTIES = 250  # durable: 255 per message, `id` and `sid` included

_OPS = {"$lt": "lt", "$lte": "lte", "$gt": "gt", "$gte": "gte", "$neq": "neq"}


class _Alpha:
    __slots__ = ("children", "forward", "rules")

    def __init__(self) -> None:
        self.children: dict[tuple[str, str, Any], _Alpha] = {}
        self.forward: list[_Alpha] = []
        self.rules = 0


def _leaf(cond: Mapping[str, Any]) -> tuple[str, str, Any]:
    ((key, body),) = cond.items()
    if key in _OPS:
        ((name, value),) = body.items()
        return name, _OPS[key], (type(value).__name__, value)
    return key, "eq", (type(body).__name__, body)


def _add(cond: Mapping[str, Any], parent: _Alpha) -> _Alpha:
    """Insert like durable's createAlpha; returns the node the rest of the rule hangs on."""
    if "$and" in cond:
        node = parent
        for item in cond["$and"]:
            node = _add(item, node)
        return node
    if "$or" in cond:
        forward = _Alpha()
        for item in cond["$or"]:
            _add(item, parent).forward.append(forward)
        return forward
    key = _leaf(cond)
    child = parent.children.get(key)
    if child is None:
        child = parent.children[key] = _Alpha()
    return child


def logic_nodes(cond: Any) -> int:
    """How many `$and`/`$or` nodes a durable condition uses."""
    if isinstance(cond, dict):
        own = sum(1 for key in cond if key in ("$and", "$or"))
        return own + sum(logic_nodes(value) for value in cond.values())
    if isinstance(cond, list):
        return sum(logic_nodes(item) for item in cond)
    return 0


def _simultaneous(node: _Alpha) -> int:
    """Upper bound on the children of `node` that one message can make match together."""
    eq_props = {name for name, op, _ in node.children if op == "eq"}
    others = sum(1 for _, op, _ in node.children if op != "eq")
    return len(eq_props) + others + len(node.forward)


def _stack_need(root: _Alpha) -> int:
    """Most stack entries the walk can hold, computed bottom-up over the DAG (no recursion)."""
    need: dict[int, int] = {}
    todo: list[tuple[_Alpha, bool]] = [(root, False)]
    while todo:
        node, expanded = todo.pop()
        if id(node) in need:
            continue
        kids = [*node.children.values(), *node.forward]
        if not expanded:
            todo.append((node, True))
            todo.extend((k, False) for k in kids if id(k) not in need)
            continue
        pushes = _simultaneous(node)
        deepest = max((need[id(k)] for k in kids), default=0)
        need[id(node)] = 0 if pushes == 0 else max(pushes, pushes - 1 + deepest)
    return need[id(root)]


def _nodes(root: _Alpha) -> list[_Alpha]:
    seen: dict[int, _Alpha] = {}
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            todo.extend(node.children.values())
            todo.extend(node.forward)
    return list(seen.values())


def limit_problem(patterns: Sequence[Mapping[str, Any]], properties: int) -> str:
    """Why a ruleset with these rule patterns (`m` conditions) would break durable, or ""."""
    if properties + 2 > MAX_PROPERTIES:
        return f"{properties + 2} properties per fact (limit {MAX_PROPERTIES})"
    root = _Alpha()
    for pattern in patterns:
        nodes = logic_nodes(pattern)
        if nodes > MAX_LOGIC_NODES:
            return f"{nodes} all/any groups in one rule (limit {MAX_LOGIC_NODES})"
        _add(pattern, root).rules += 1
    for node in _nodes(root):
        if len(node.children) > MAX_CHILD_TESTS:
            return f"{len(node.children)} tests under one node (limit {MAX_CHILD_TESTS})"
        if len(node.forward) > MAX_FORWARD_LINKS:
            return f"{len(node.forward)} 'any' links from one test (limit {MAX_FORWARD_LINKS})"
        if node.rules > MAX_RULES_PER_NODE:
            return f"{node.rules} rules ending on one test (limit {MAX_RULES_PER_NODE})"
    need = _stack_need(root)
    if need > STACK_LIMIT:
        return f"{need} tests may match at once (limit {STACK_LIMIT})"
    return ""
