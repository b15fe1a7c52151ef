"""A routing policy's decision when its trigger excludes a ticket, made once per combination of
the values the trigger reads.

Routing's default trigger, `unassigned`, excludes every ticket that already has a group or an
assignee: on a ticket log that is nearly every ticket, and each would get the same
`not_triggered` decision, reasons and explanation, which depend only on the values the
trigger reads (and on which ticket and instant it is). Those are made by the reference code
(`evaluation.not_triggered`) once per combination of values (each with its exact type: 1 and
True differ; a value of another type, such as a time-derived float, is worked out afresh) and
shared by the decisions, which read as the plain `Decision` `not_triggered` makes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csi_rules.conditions.ast import matchers
from csi_rules.conditions.evaluate import Reason
from csi_rules.conditions.memo import TEXT_KEPT, key_maker
from csi_rules.decisions import Decision, SharedDecision
from csi_rules.engine.lookup import DERIVED_FROM, record_lookup
from csi_rules.policy.model import Policy
from csi_rules.records.model import MISSING, Record

OUTCOME_NOT_TRIGGERED = "not_triggered"
MEMO_LIMIT = 1 << 14
"""Combinations kept per policy; the memo starts over when full."""

_KEYED = frozenset({str, int, bool, type(MISSING)})
"""Types of values a combination is kept for (not float: 0.0 and -0.0 are one key but print
differently in an explanation)."""
_UNKNOWN: Any = object()

Explain = Callable[[Policy, Record, Callable[[str], Any], datetime], "Decision | None"]


class TriggerFacts:
    """What the not-triggered decisions of one policy and one combination of trigger values
    share; `text` is free for a writer to keep their encoded form in (cli/evaluate_json.py)."""

    __slots__ = ("explain", "policy", "policy_kind", "policy_version", "reasons", "source",
                 "text")

    def __init__(self, decision: Decision):
        self.policy, self.policy_kind = decision.policy, decision.policy_kind
        self.policy_version, self.source = decision.policy_version, decision.source
        self.reasons: tuple[Reason, ...] = tuple(decision.reasons)
        assert decision.details is not None
        self.explain: str = decision.details["explain"]
        self.text: tuple[str, str] | None = None


class TriggerDecision(SharedDecision):
    """A not-triggered decision: its combination's shared facts, the ticket and the instant."""

    __slots__ = ("_details", "_facts", "_now", "_record_id", "_record_label")
    _facts: TriggerFacts
    _record_id: str
    _record_label: str
    _now: datetime
    _details: dict[str, Any] | None
    rule_id = None
    outcome = OUTCOME_NOT_TRIGGERED
    actions = ()
    key = ""

    record_id = property(lambda self: self._record_id)
    record_label = property(lambda self: self._record_label)
    now = property(lambda self: self._now)
    policy = property(lambda self: self._facts.policy)
    policy_kind = property(lambda self: self._facts.policy_kind)
    policy_version = property(lambda self: self._facts.policy_version)
    source = property(lambda self: self._facts.source)
    reasons = property(lambda self: self._facts.reasons)

    @property
    def details(self) -> dict[str, Any]:
        made = self._details
        if made is None:  # its own dict: a caller changing it changes no other decision
            made = {"explain": self._facts.explain}
            _SET["_details"](self, made)
        return made


_SET = {name: TriggerDecision.__dict__[name].__set__ for name in TriggerDecision.__slots__}
_new = object.__new__


class TriggerMemo:
    """`explain(policy, record, lookup, now)` (None: the trigger holds) for one policy's
    trigger, its decisions made from facts remembered by the values the trigger reads."""

    def __init__(self, policy: Policy, explain: Explain):
        trigger = policy.compiled
        paths = {m.path for m in matchers(trigger.when)}
        if trigger.name == "unassigned":  # its explanation names the owners it found
            paths |= {"assignment_group", "assignee"}
        self._paths = tuple(sorted(paths))
        self._policy, self._explain = policy, explain
        self._memo: dict[tuple[Any, ...], TriggerFacts | None] = {}
        # the record's own fields read by a function generated for them (conditions/memo.py);
        # a time-derived field (age_seconds) only through the lookup
        self._fields = (None if any(p in DERIVED_FROM for p in self._paths)
                        else key_maker([tuple(p.split(".")) for p in self._paths]))

    def _key(self, record: Record, now: datetime) -> tuple[Any, ...] | None:
        """(type, value, type, value, ...) of the paths read; None when one is not keyed."""
        if self._fields is not None:
            key = self._fields(record.data)  # keys text, numbers, booleans and missing
            if key is None or float in key[::2]:
                return None
            return key
        lookup = record_lookup(record, now)
        values = tuple(lookup(path) for path in self._paths)
        types = tuple(type(v) for v in values)
        if not _KEYED.issuperset(types) or any(
                t is str and len(v) > TEXT_KEPT for t, v in zip(types, values, strict=True)):
            return None
        return tuple(x for pair in zip(types, values, strict=True) for x in pair)

    def __call__(self, record: Record, now: datetime) -> Decision | None:
        key = self._key(record, now)
        if key is not None:
            facts = self._memo.get(key, _UNKNOWN)
            if facts is not _UNKNOWN:
                return None if facts is None else _decision(facts, record, now)
        made = self._explain(self._policy, record, record_lookup(record, now), now)
        facts = None if made is None else TriggerFacts(made)
        if key is not None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = facts
        return None if facts is None else _decision(facts, record, now)


def _decision(facts: TriggerFacts, record: Record, now: datetime) -> TriggerDecision:
    decision = _new(TriggerDecision)
    _SET["_facts"](decision, facts)
    _SET["_record_id"](decision, record.id)
    _SET["_record_label"](decision, record.label)
    _SET["_now"](decision, now)
    _SET["_details"](decision, None)
    return decision
