"""Can a conjunction of literals hold for some record? Sat (with a witness), unsat, or unknown.

Literals on different paths constrain different values, so each path is decided on its own:
its candidate values (see domains.py) are run through the real operators from evaluate.py, so
a witness is never wrong. "unsat" is only claimed when the candidates are complete for the
literals at hand; everything else is "unknown", which callers must treat as "may hold".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from csi_rules.conditions.ast import OPERATORS
from csi_rules.conditions.domains import Domain, domain_for
from csi_rules.conditions.evaluate import apply_operator, compiled_regex
from csi_rules.conditions.normal_form import Literal, negate
from csi_rules.records.model import MISSING

SAT = "sat"
UNSAT = "unsat"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class PathResult:
    """The verdict for one path; `value` is a witness (possibly MISSING) when sat."""

    status: str
    value: Any = MISSING


@dataclass(frozen=True)
class Solution:
    """The verdict for a conjunction, with a witness value per decided path."""

    status: str
    values: dict[str, Any] = field(default_factory=dict)
    undecided: dict[str, tuple[Literal, ...]] = field(default_factory=dict)
    conflict: tuple[str, tuple[Literal, ...]] | None = None


def holds(lit: Literal, value: Any) -> bool | None:
    """Truth of `lit` for a field holding `value`; None when the operator itself would fail."""
    try:
        result = apply_operator(lit.matcher.op, value, lit.matcher.value)
    except (TypeError, ValueError, OverflowError, re.error):
        return None
    return result != lit.negated


def well_formed(lit: Literal) -> bool:
    """Operand shapes the candidate reasoning understands (the type checker reports the rest)."""
    op, value = lit.matcher.op, lit.matcher.value
    if op not in OPERATORS:
        return False
    if op in ("in", "not_in"):
        return isinstance(value, list | tuple)
    if op == "between":
        return isinstance(value, list | tuple) and len(value) == 2
    if op == "matches":
        try:
            compiled_regex(value)
        except (TypeError, re.error):
            return False
    return True


_MEMO: dict[tuple[Any, ...], tuple[PathResult, Sequence[Literal]]] = {}
_MEMO_SIZE = 1 << 16


def solve_path(path: str, lits: Sequence[Literal], domain: Domain | None = None) -> PathResult:
    """Decide the literals on one path (all of `lits` must be about `path`).

    Memoised: the analyses of a rule table ask the same small questions over and over.
    """
    if domain is not None:
        return _decide(path, lits, domain)
    memo_key = (path, frozenset(lit.key for lit in lits))
    known = _MEMO.get(memo_key)
    if known is not None:
        return known[0]
    result = _decide(path, lits, domain_for(path))
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    _MEMO[memo_key] = (result, lits)  # holding `lits` keeps id()-based keys from being reused
    return result


def _decide(path: str, lits: Sequence[Literal], domain: Domain) -> PathResult:
    keys = {lit.key for lit in lits}
    if any(negate(lit).key in keys for lit in lits):
        return PathResult(UNSAT)
    candidates, complete = domain.candidates(lits)
    complete = complete and all(well_formed(lit) for lit in lits)
    for value in candidates:
        verdicts = [holds(lit, value) for lit in lits]
        if all(v is True for v in verdicts):
            return PathResult(SAT, value)
        if None in verdicts and False not in verdicts:
            complete = False
    return PathResult(UNSAT if complete else UNKNOWN)


def by_path(lits: Iterable[Literal]) -> dict[str, tuple[Literal, ...]]:
    """Literals grouped by path, paths in order of first appearance."""
    groups: dict[str, list[Literal]] = {}
    for lit in lits:
        groups.setdefault(lit.path, []).append(lit)
    return {path: tuple(group) for path, group in groups.items()}


def solve(conjunct: Iterable[Literal]) -> Solution:
    """Decide a whole conjunction: unsat as soon as one path is, sat only if every path is."""
    values: dict[str, Any] = {}
    undecided: dict[str, tuple[Literal, ...]] = {}
    for path, lits in by_path(conjunct).items():
        result = solve_path(path, lits)
        if result.status == UNSAT:
            return Solution(UNSAT, conflict=(path, lits))
        if result.status == SAT:
            values[path] = result.value
        else:
            undecided[path] = lits
    return Solution(UNKNOWN if undecided else SAT, values, undecided)


def contradicts(conjunct: Sequence[Literal], added: Literal) -> bool:
    """Whether adding `added` (already the last of `conjunct`) made its path impossible."""
    lits = tuple(lit for lit in conjunct if lit.path == added.path)
    return solve_path(added.path, lits).status == UNSAT


def minimal_core(path: str, lits: Sequence[Literal]) -> tuple[Literal, ...]:
    """A smallest-by-deletion subset of unsat `lits` that is still unsat: what to show a user."""
    core = list(lits)
    for lit in list(core):
        trial = [other for other in core if other is not lit]
        if trial and solve_path(path, trial).status == UNSAT:
            core = trial
    return tuple(core)
