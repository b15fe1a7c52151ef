"""The JSON text `csi-rules evaluate` writes for a decision, with what repeats encoded once.

Byte for byte the text of `encode(decision.to_json())` (json's default separators, ASCII
output): a rule's policy, rule, source, outcome and actions are the same in every decision it
makes, so they are encoded once per rule; a reason is encoded once per combination of the
values it shows (kept only for plain values of exact types: 1 and True show differently);
the instant once per evaluation. An SLA threshold's decisions share their status's details,
encoded once per status. A decision built field by field has its parts encoded one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import Any

from csi_rules.conditions.evaluate import Reason
from csi_rules.decisions import Decision, RuleDecision, RuleFacts
from csi_rules.evaluation_trigger import TriggerDecision
from csi_rules.records.model import MISSING
from csi_rules.sla.decision import ThresholdDecision

REASONS_KEPT = 1 << 16
"""Reason texts kept; the cache starts over when full."""
ACTIONS_KEPT = 1 << 12
"""Action-list texts kept by identity; starts over when full (a CAB route makes a new tuple per
decision, so an unbounded cache would grow with the output)."""

_PLAIN = frozenset({str, int, bool, type(None), type(MISSING)})
"""Types of values a reason's text is kept for (not float: 0.0 and -0.0 are one key)."""


class DecisionText:
    """`encode(d.to_json())` for decisions, faster; one per output (its caches grow with it)."""

    def __init__(self, encode: Callable[[Any], str]):
        self._encode = encode
        self._rules: dict[RuleFacts, str] = {}
        self._reasons: dict[tuple[Any, ...], str] = {}
        self._reason_ids: dict[int, tuple[Reason, str]] = {}  # by identity, the reason kept
        self._actions: dict[int, tuple[Any, str]] = {}  # by identity, the tuple kept alive
        self._policies: dict[tuple[str, str, str], str] = {}
        self._now: datetime | None = None
        self._now_text = ""

    def __call__(self, decision: Decision) -> str:
        if type(decision) is ThresholdDecision:
            return self._threshold(decision)
        if type(decision) is Decision:
            return self._plain(decision)
        if type(decision) is TriggerDecision:
            return self._not_triggered(decision)
        if type(decision) is not RuleDecision:
            return self._encode(decision.to_json())
        facts = decision._facts
        rule = self._rules.get(facts)
        if rule is None:
            rule = self._rules[facts] = self._rule_text(facts)
        subject = decision._subject
        record_id, reasons = subject.record_id, decision.reasons
        return "".join((
            '{"record": {"id": ', encode_basestring_ascii(record_id),
            ', "label": ', encode_basestring_ascii(subject.record_label), "}, ", rule,
            ', "reasons": [', ", ".join([self._reason(r) for r in reasons]) if reasons else "",
            '], "now": ', self._now_of(subject.now), ', "key": ',
            encode_basestring_ascii(f"{record_id}/{facts.policy}/{facts.rule_id or '-'}"), "}"))

    def _plain(self, d: Decision) -> str:
        """A decision built field by field (a routing policy's not_triggered, a ladder's rung):
        its policy, actions and reasons through the caches, the rest encoded as to_json has it."""
        encode, details = self._encode, d.details
        if type(details) is not dict and details is not None:
            return encode(d.to_json())
        policy = self._policy_text(d.policy, d.policy_kind, d.policy_version)
        reasons = ", ".join([self._reason(r) if type(r) is Reason else encode(r.to_json())
                             for r in d.reasons])
        return "".join((
            '{"record": ', encode({"id": d.record_id, "label": d.record_label}),
            ', "policy": ', policy, ', "rule": ', encode(d.rule_id),
            ', "source": ', encode(d.source), ', "outcome": ', encode(d.outcome),
            ', "actions": ', self._actions_text(d.actions), ', "reasons": [', reasons,
            '], "now": ', self._now_of(d.now),
            f', "details": {encode(details)}' if details else "",
            ', "key": ', encode(d.key or d.default_key()), "}"))

    def _actions_text(self, actions: tuple[Any, ...]) -> str:
        known = self._actions.get(id(actions))
        if known is None or known[0] is not actions:
            if len(self._actions) >= ACTIONS_KEPT:
                self._actions.clear()
            known = self._actions[id(actions)] = (
                actions, self._encode([a.to_json() for a in actions]))
        return known[1]

    def _now_of(self, now: datetime) -> str:
        if now is not self._now:
            self._now, self._now_text = now, encode_basestring_ascii(now.isoformat())
        return self._now_text

    def _threshold(self, decision: ThresholdDecision) -> str:
        """An SLA threshold's decision: its status's details encoded once for all of them."""
        facts, crossing = decision._facts, decision._crossing
        details = facts.text
        if details is None:
            if not facts.details:
                return self._encode(decision.to_json())
            details = facts.text = self._encode(facts.details)[:-1]  # without its "}"
        policy = self._policy_text(facts.policy, facts.policy_kind, facts.policy_version)
        return "".join((
            '{"record": {"id": ', encode_basestring_ascii(facts.record_id),
            ', "label": ', encode_basestring_ascii(facts.record_label), '}, "policy": ',
            policy, ', "rule": ', encode_basestring_ascii(decision.rule_id),
            ', "source": ', encode_basestring_ascii(decision.source),
            ', "outcome": "threshold", "actions": ',
            self._actions_text(crossing.threshold.actions), ', "reasons": [], "now": ',
            self._now_of(facts.now), ', "details": ', details, ', "crossed_at": ',
            encode_basestring_ascii(crossing.at.isoformat()), '}, "key": ',
            encode_basestring_ascii(decision.key), "}"))

    def _policy_text(self, name: str, kind: str, version: str) -> str:
        """A decision's `policy` object, encoded once per policy (named by text)."""
        if not (type(name) is str and type(kind) is str and type(version) is str):
            return self._encode({"name": name, "kind": kind, "version": version})
        key = (name, kind, version)
        text = self._policies.get(key)
        if text is None:
            text = self._policies[key] = self._encode(
                {"name": name, "kind": kind, "version": version})
        return text

    def _not_triggered(self, decision: TriggerDecision) -> str:
        """A routing policy's not-triggered decision: what its combination of trigger values
        shares encoded once for all of them."""
        facts, encode = decision._facts, self._encode
        text = facts.text
        if text is None:
            policy = encode({"name": facts.policy, "kind": facts.policy_kind,
                             "version": facts.policy_version})
            reasons = ", ".join([self._reason(r) for r in facts.reasons])
            text = facts.text = (
                f'"policy": {policy}, "rule": null, "source": {encode(facts.source)}, '
                f'"outcome": {encode(decision.outcome)}, "actions": [], '
                f'"reasons": [{reasons}], "now": ',
                f', "details": {encode({"explain": facts.explain})}, "key": ')
        record_id = decision._record_id
        return "".join((
            '{"record": {"id": ', encode_basestring_ascii(record_id),
            ', "label": ', encode_basestring_ascii(decision._record_label), "}, ", text[0],
            self._now_of(decision._now), text[1],
            encode_basestring_ascii(f"{record_id}/{facts.policy}/-"), "}"))

    def _rule_text(self, facts: RuleFacts) -> str:
        """From `"policy"` to the actions' closing bracket, as to_json's dict encodes."""
        encode = self._encode
        policy = encode({"name": facts.policy, "kind": facts.policy_kind,
                         "version": facts.policy_version})
        return (f'"policy": {policy}, '
                f'"rule": {encode(facts.rule_id)}, "source": {encode(facts.source)}, '
                f'"outcome": {encode(facts.outcome)}, '
                f'"actions": {encode([a.to_json() for a in facts.actions])}')

    def _reason(self, reason: Reason) -> str:
        """A reason's text: by identity for a reason met before (the compiled engine hands
        out one Reason per rule and combination of plain values), else by its values."""
        known = self._reason_ids.get(id(reason))
        if known is not None and known[0] is reason:
            return known[1]
        text = self._reason_text(reason)
        if text is not None:
            if len(self._reason_ids) >= REASONS_KEPT:
                self._reason_ids.clear()
            self._reason_ids[id(reason)] = (reason, text)  # the reason kept: its id stays its
            return text
        return self._encode(reason.to_json())

    def _reason_text(self, reason: Reason) -> str | None:
        """The text of a reason with plain values of exact types, kept by those values (None
        for any other reason: its values may change, or read alike and print differently)."""
        expected, actual = reason.expected, reason.actual
        kind = type(expected)
        if type(actual) not in _PLAIN or not (
                kind in _PLAIN or (kind is tuple and all(type(e) is str for e in expected))):
            return None
        key = (reason.path, reason.op, kind, expected, type(actual), actual, reason.result)
        text = self._reasons.get(key)
        if text is None:
            if len(self._reasons) >= REASONS_KEPT:
                self._reasons.clear()
            text = self._reasons[key] = self._encode(reason.to_json())
        return text
