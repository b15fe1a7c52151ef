"""Decisions: what a policy concluded about a record, and every reason why."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import FrozenInstanceError, dataclass
from datetime import datetime
from typing import Any

from csi_rules.conditions.evaluate import Reason
from csi_rules.policy.model import Action

OUTCOME_MATCHED = "matched"
OUTCOME_DEFAULT = "default"
OUTCOME_THRESHOLD = "threshold"
OUTCOME_ESCALATION = "escalation"


@dataclass(frozen=True)
class Decision:
    """One policy's conclusion for one record at one instant.

    `outcome` is `matched` when a rule chose it, `default` when no rule matched and the
    policy's default actions apply.
    """

    record_id: str
    record_label: str
    policy: str
    policy_kind: str
    policy_version: str
    rule_id: str | None
    source: str
    outcome: str
    actions: tuple[Action, ...]
    reasons: Sequence[Reason]  # a tuple, or the compiled engine's LazyReasons (reads as one)
    now: datetime
    details: Mapping[str, Any] | None = None  # kind-specific status (an SLA's clock, ...)
    key: str = ""  # what makes the decision's actions idempotent (record, policy, rule, cycle)

    def to_json(self) -> dict[str, Any]:
        return {
            "record": {"id": self.record_id, "label": self.record_label},
            "policy": {"name": self.policy, "kind": self.policy_kind,
                       "version": self.policy_version},
            "rule": self.rule_id,
            "source": self.source,
            "outcome": self.outcome,
            "actions": [a.to_json() for a in self.actions],
            "reasons": [r.to_json() for r in self.reasons],
            "now": self.now.isoformat(),
            **({"details": dict(self.details)} if self.details else {}),
            "key": self.key or self.default_key(),
        }

    def default_key(self) -> str:
        return f"{self.record_id}/{self.policy}/{self.rule_id or '-'}"

    def format_text(self) -> str:
        head = (f"{self.record_label}: {self.policy} → "
                + (f"rule {self.rule_id}" if self.rule_id else
                   "not triggered" if self.outcome == "not_triggered" else "default")
                + f"  ({self.source})")
        lines = [head]
        lines += [f"    action: {_action_text(a)}" for a in self.actions]
        lines += [f"    because {r.format()}" for r in self.reasons]
        if self.details and "explain" in self.details:
            lines.append(f"    because {self.details['explain']}")
        return "\n".join(lines)


def _action_text(action: Action) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in action.params.items())
    return f"{action.type}({params})"


class RuleFacts:
    """What every decision of one rule (or of one policy's default) shares, whatever the
    record: made once per evaluator, not once per decision."""

    __slots__ = ("actions", "explain", "outcome", "policy", "policy_kind", "policy_version",
                 "rule_id", "source")

    def __init__(self, policy: str, policy_kind: str, policy_version: str, rule_id: str | None,
                 source: str, outcome: str, actions: tuple[Action, ...],
                 explain: Callable[[Any], Sequence[Reason]]):
        """`explain(values)`: the rule's reasons from the field values its decision read."""
        self.policy, self.policy_kind, self.policy_version = policy, policy_kind, policy_version
        self.rule_id, self.source, self.outcome = rule_id, source, outcome
        self.actions, self.explain = actions, explain


class Subject:
    """The record and instant one evaluation is about, shared by that evaluation's decisions;
    `values` are the field values the match read (the reasons are made from them), `made`
    the reasons its decisions have made so far, by their rule's facts (a rule decides once
    per evaluation)."""

    __slots__ = ("made", "now", "record_id", "record_label", "values")

    def __init__(self, record_id: str, record_label: str, now: datetime, values: Any):
        self.record_id, self.record_label, self.now, self.values = (
            record_id, record_label, now, values)
        self.made: dict[RuleFacts, Sequence[Reason]] = {}


class SharedDecision(Decision):
    """A `Decision` whose fields are read from objects it shares with other decisions
    (subclasses say which), made without `__init__`. It reads, compares, hashes, prints and
    pickles as the `Decision` with the same fields; `dataclasses.replace` gives a plain
    `Decision`."""

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> Decision:  # type: ignore[misc]
        return Decision(*args, **kwargs)  # the general constructor (dataclasses.replace)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Decision):
            return _fields(self) == _fields(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_fields(self))  # as the dataclass hashes its fields

    def __reduce__(self) -> tuple[Any, ...]:
        return (Decision, _fields(self))

    def __repr__(self) -> str:
        return repr(Decision(*_fields(self)))


class RuleDecision(SharedDecision):
    """A `Decision` kept as its rule's shared facts plus its evaluation's subject: two
    references a decision instead of thirteen fields, and no `Reason` made until `reasons` is
    first read (then kept in the subject, a plain tuple)."""

    __slots__ = ("_facts", "_subject")
    _facts: RuleFacts
    _subject: Subject
    details = None
    key = ""

    record_id = property(lambda self: self._subject.record_id)
    record_label = property(lambda self: self._subject.record_label)
    now = property(lambda self: self._subject.now)
    policy = property(lambda self: self._facts.policy)
    policy_kind = property(lambda self: self._facts.policy_kind)
    policy_version = property(lambda self: self._facts.policy_version)
    rule_id = property(lambda self: self._facts.rule_id)
    source = property(lambda self: self._facts.source)
    outcome = property(lambda self: self._facts.outcome)
    actions = property(lambda self: self._facts.actions)

    @property
    def reasons(self) -> Sequence[Reason]:
        facts, subject = self._facts, self._subject
        made = subject.made.get(facts)
        if made is None:  # first read; two threads may both make them: equal either way
            made = subject.made.setdefault(facts, facts.explain(subject.values))
        return made


def _fields(d: Decision) -> tuple[Any, ...]:
    """A decision's fields in the dataclass's order (what it compares and hashes)."""
    return (d.record_id, d.record_label, d.policy, d.policy_kind, d.policy_version, d.rule_id,
            d.source, d.outcome, d.actions, d.reasons, d.now, d.details, d.key)


# RuleDecision's slots set directly (its __setattr__ refuses every name: it is frozen)
_SET_FACTS = RuleDecision.__dict__["_facts"].__set__
_SET_SUBJECT = RuleDecision.__dict__["_subject"].__set__


def add_decisions(out: list[Decision], table: Mapping[str, RuleFacts], keys: Iterable[str],
                  subject: Subject) -> None:
    """Append the decision of each rule in `keys` (`table[key]` its facts) for `subject`:
    per decision one object with two slots set (no `__init__`, no per-field setattr)."""
    new, set_facts, set_subject, append = (
        object.__new__, _SET_FACTS, _SET_SUBJECT, out.append)
    for key in keys:
        decision = new(RuleDecision)
        set_facts(decision, table[key])
        set_subject(decision, subject)
        append(decision)
