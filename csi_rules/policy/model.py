"""Validated policies as the engine and the CLI see them (built only from documents that validated)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csi_rules.conditions.ast import Condition

DEFAULT_RULE_PRIORITY = 100


@dataclass(frozen=True)
class Action:
    """One requested action: its type and parameters as written in the policy."""

    type: str
    params: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {self.type: dict(self.params)}


@dataclass(frozen=True)
class Rule:
    """A rule of a policy: when its condition holds, its actions are requested."""

    id: str
    order: int
    priority: int
    when: Condition
    actions: tuple[Action, ...]
    description: str
    file: str
    line: int
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Policy:
    """A validated policy document of any kind; `rules` are in evaluation order."""

    name: str
    kind: str
    file: str
    line: int
    applies_to: tuple[str, ...]
    hit_policy: str
    rules: tuple[Rule, ...]
    default_actions: tuple[Action, ...]
    content_hash: str
    metadata: Mapping[str, Any]
    spec: Mapping[str, Any]
    compiled: Any = None  # kind-specific form built at load time (a Calendar, SLA definitions)

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class PolicySet:
    """Every policy loaded from the given paths, plus the warnings validation produced."""

    policies: list[Policy]
    warnings: list[Any] = field(default_factory=list)
    # calendars found by name, kept: SLA clocks ask for them per ticket (a loaded set is not
    # changed, so an answer stays true)
    _calendars: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)
    # of_kind's and get's answers, kept for the `policies` list they were found in (evaluate
    # asks them several times per ticket); a new list, or one of another length, starts over
    _kinds: dict[tuple[str, ...], tuple[Policy, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _names: dict[str, Policy | None] = field(default_factory=dict, init=False, repr=False,
                                             compare=False)
    _found_in: tuple[Any, int] = field(default=(None, 0), init=False, repr=False,
                                       compare=False)

    def of_kind(self, *kinds: str) -> tuple[Policy, ...]:
        """The policies of these kinds, in load order (a tuple: one object shared by every
        caller, so nobody can change another's answer)."""
        self._check_found()
        found = self._kinds.get(kinds)
        if found is None:
            found = self._kinds[kinds] = tuple(p for p in self.policies if p.kind in kinds)
        return found

    def get(self, name: str) -> Policy | None:
        """The first policy named `name`, None when there is none."""
        self._check_found()
        names = self._names
        if name in names:
            return names[name]
        found = names[name] = next((p for p in self.policies if p.name == name), None)
        return found

    def _check_found(self) -> None:
        policies, (seen, count) = self.policies, self._found_in
        if policies is not seen or len(policies) != count:
            self._kinds.clear()
            self._names.clear()
            self._found_in = (policies, len(policies))

    def calendar(self, name: str) -> Any:
        """A `kind: Calendar` policy by name, else a built-in calendar such as `24x7`."""
        found = self._calendars.get(name)
        if found is None:
            found = self._calendars[name] = self._find_calendar(name)
        return found

    def _find_calendar(self, name: str) -> Any:
        from csi_rules.calendars import builtin_calendar

        policy = self.get(name)
        if policy is not None and policy.kind == "Calendar":
            return policy.compiled
        return builtin_calendar(name)
