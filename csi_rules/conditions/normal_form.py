"""Conditions flattened to disjunctive normal form: an OR of ANDs of (possibly negated) matchers.

The analyses reason about one conjunction at a time, so the DNF is the working form. It can grow
exponentially (an AND of ORs), hence the size limit: past it the caller gets None and must
assume the worst instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from csi_rules.conditions.ast import AllOf, Condition, Matcher, Not
from csi_rules.conditions.evaluate import type_class
from csi_rules.conditions.issues import format_value

DNF_LIMIT = 256

# `not (x eq v)` is exactly `x ne v` (both treat a missing field the same way), and so on
_COMPLEMENT = {"eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in"}


@dataclass(frozen=True)
class Literal:
    """A matcher, or its negation; keeps the matcher's pointer so findings can point at it."""

    matcher: Matcher
    negated: bool = False

    @property
    def path(self) -> str:
        return self.matcher.path

    def describe(self) -> str:
        """`gt 3`, `exists false`, `not matches '^db'` (the field is named by the caller)."""
        text = f"{self.matcher.op} {format_value(self.matcher.value)}"
        return f"not {text}" if self.negated else text

    @cached_property
    def key(self) -> tuple[Any, ...]:
        """Identity under the no-coercion rules: eq 1 and eq true are different literals."""
        return (self.path, self.matcher.op, _frozen(self.matcher.value), self.negated)


_LITERALS: dict[tuple[int, bool], tuple[Matcher, Literal]] = {}


def literal(matcher: Matcher, negated: bool = False) -> Literal:
    """The literal for `matcher` (negated or not), folding negation into the operator if exact.

    Memoised per matcher object (not per equal matcher: equal matchers at different pointers
    must keep their own pointers), so a literal's key is computed once per analysis run.
    """
    known = _LITERALS.get((id(matcher), negated))
    if known is not None and known[0] is matcher:
        return known[1]
    if len(_LITERALS) >= 1 << 16:
        _LITERALS.clear()
    made = _make_literal(matcher, negated)
    _LITERALS[(id(matcher), negated)] = (matcher, made)
    return made


def _make_literal(matcher: Matcher, negated: bool) -> Literal:
    if negated and matcher.op in _COMPLEMENT:
        return Literal(replace(matcher, op=_COMPLEMENT[matcher.op]))
    if negated and matcher.op == "exists":
        return Literal(replace(matcher, value=not bool(matcher.value)))
    return Literal(matcher, negated)


def negate(lit: Literal) -> Literal:
    return literal(lit.matcher, not lit.negated)


Conjunct = tuple[Literal, ...]
KeepConjunct = Callable[[Conjunct, Literal], bool]


class TooComplex(Exception):
    """The DNF would exceed its limit; callers answer conservatively."""


def to_dnf(cond: Condition, limit: int = DNF_LIMIT) -> list[Conjunct] | None:
    """The OR-of-ANDs form of `cond` (`[()]` is always true, `[]` never), or None past `limit`."""
    try:
        return extend_dnf([()], cond, limit=limit)
    except TooComplex:
        return None


def extend_dnf(
    conjuncts: Sequence[Conjunct],
    cond: Condition,
    negated: bool = False,
    *,
    limit: int = DNF_LIMIT,
    keep: KeepConjunct | None = None,
) -> list[Conjunct]:
    """DNF of `(OR of conjuncts) AND cond` (or `AND NOT cond`); raises TooComplex past `limit`.

    `keep(conjunct, added)` may drop a conjunct as soon as the literal just added makes it
    impossible, which keeps contradictory branches from multiplying.
    """
    if isinstance(cond, Matcher):
        lit = literal(cond, negated)
        out = []
        for conj in conjuncts:
            if any(existing.key == lit.key for existing in conj):
                out.append(conj)
                continue
            grown = (*conj, lit)
            if keep is None or keep(grown, lit):
                out.append(grown)
        return _bounded(out, limit)
    if isinstance(cond, Not):
        return extend_dnf(conjuncts, cond.item, not negated, limit=limit, keep=keep)
    conjunctive = isinstance(cond, AllOf) != negated
    if conjunctive:
        current = list(conjuncts)
        for item in cond.items:
            if not current:
                break
            current = extend_dnf(current, item, negated, limit=limit, keep=keep)
        return current
    union: list[Conjunct] = []
    for item in cond.items:
        union.extend(extend_dnf(conjuncts, item, negated, limit=limit, keep=keep))
        _bounded(union, limit)
    return union


def _bounded(conjuncts: list[Conjunct], limit: int) -> list[Conjunct]:
    if len(conjuncts) > limit:
        raise TooComplex(f"more than {limit} alternatives")
    return conjuncts


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ("list", tuple(_frozen(v) for v in value))
    if isinstance(value, dict):
        return ("map", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    try:
        hash(value)
    except TypeError:
        return ("opaque", id(value))
    return (type_class(value) or type(value).__name__, value)
