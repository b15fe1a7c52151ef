"""Typed settings of a ConflictPolicy, built from a `spec` that passed the schema.

The search works on these dataclasses, never on raw dicts, so a typo in a policy fails at
validation time, not in the middle of a run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csi_rules.conflicts.model import Severity, to_micros
from csi_rules.conflicts.schema import CONFLICT_POLICY_SPEC_SCHEMA
from csi_rules.errors import PolicyError
from csi_rules.findings import Finding
from csi_rules.policy.schema_verdict import SchemaVerdict

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MINUTE_US = 60_000_000
Pointer = tuple[str | int, ...]


@cache
def _verdict() -> SchemaVerdict:
    """Answers "valid?" without jsonschema (see SchemaVerdict): jsonschema's validator is
    made only for a spec it does not call valid, to say what is wrong."""
    return SchemaVerdict(CONFLICT_POLICY_SPEC_SCHEMA)


@dataclass(frozen=True)
class OverlapSettings:
    """sameCi and relatedCi: which changes take part and how long an overlap must be."""

    severity: Severity
    min_overlap_us: int = 0
    ignore_change_types: frozenset[str] = frozenset()
    relationship_types: frozenset[str] = frozenset()
    depth: int = 1


@dataclass(frozen=True)
class CapacityResource:
    """One booked resource kind: the change field naming it and how many changes it carries."""

    field: str
    capacity: int = 1
    overrides: Mapping[str, int] = dataclasses.field(default_factory=dict)

    def capacity_of(self, name: str) -> int:
        return self.overrides.get(name, self.capacity)


@dataclass(frozen=True)
class CapacitySettings:
    severity: Severity
    resources: tuple[CapacityResource, ...]
    ignore_change_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NamedWindow:
    """A half-open window [start_us, end_us) with a name for reports."""

    name: str
    start_us: int
    end_us: int


@dataclass(frozen=True)
class BlackoutSettings:
    severity: Severity
    windows: tuple[NamedWindow, ...]
    exempt_change_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WeeklySpan:
    """Local-time span starting on `days` (0 = Monday) at `start_min`, `length_min` long."""

    days: frozenset[int]
    start_min: int
    length_min: int


@dataclass(frozen=True)
class WindowSet:
    """Where a CI may be changed: weekly spans in `time_zone` plus explicit windows."""

    name: str
    time_zone: str
    weekly: tuple[WeeklySpan, ...] = ()
    explicit: tuple[NamedWindow, ...] = ()


@dataclass(frozen=True)
class MaintenanceSettings:
    severity: Severity
    default: WindowSet | None
    by_ci: Mapping[str, WindowSet]
    exempt_change_types: frozenset[str] = frozenset()

    def window_set_for(self, ci: str) -> WindowSet | None:
        return self.by_ci.get(ci, self.default)


@dataclass(frozen=True)
class Initiative:
    """An improvement initiative: a window and the people, groups and CIs it needs."""

    id: str
    title: str
    start_us: int
    end_us: int
    people: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    configuration_items: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InitiativeSettings:
    severity: Severity
    items: tuple[Initiative, ...]
    compete_on: frozenset[str] = frozenset({"people", "groups", "configurationItems"})


@dataclass(frozen=True)
class ConflictSettings:
    """Every check of one policy; None means the check is off."""

    policy: str = ""
    same_ci: OverlapSettings | None = None
    related_ci: OverlapSettings | None = None
    capacity: CapacitySettings | None = None
    blackouts: BlackoutSettings | None = None
    maintenance: MaintenanceSettings | None = None
    initiatives: InitiativeSettings | None = None
    max_window_us: int | None = None
    """Changes whose planned window is longer are left out (counted as excluded by policy)."""


def spec_problems(spec: Any) -> list[tuple[Pointer, str]]:
    """Every schema and semantic problem of `spec`, each as (pointer under spec, message)."""
    problems: list[tuple[Pointer, str]] = [
        (tuple(e.absolute_path), e.message) for e in _verdict().errors(spec)]
    if problems:
        return sorted(problems, key=lambda p: tuple(map(str, p[0])))
    found: list[tuple[Pointer, str]] = []
    for name in ("blackouts",):
        for i, w in enumerate(spec.get(name, {}).get("windows", [])):
            _check_window(w, (name, "windows", i), found)
    maint = spec.get("maintenanceWindows", {})
    if "timeZone" in maint:
        _check_zone(maint["timeZone"], ("maintenanceWindows", "timeZone"), found)
    sets: list[tuple[Pointer, Any]] = []
    if "default" in maint:
        sets.append((("maintenanceWindows", "default"), maint["default"]))
    sets += [(("maintenanceWindows", "cis", ci), ws) for ci, ws in maint.get("cis", {}).items()]
    for ptr, ws in sets:
        if "timeZone" in ws:
            _check_zone(ws["timeZone"], (*ptr, "timeZone"), found)
        for i, w in enumerate(ws.get("explicit", [])):
            _check_window(w, (*ptr, "explicit", i), found)
    seen: dict[str, int] = {}
    for i, item in enumerate(spec.get("initiatives", {}).get("items", [])):
        _check_window(item, ("initiatives", "items", i), found)
        if item["id"] in seen:
            found.append((("initiatives", "items", i, "id"),
                          f"duplicate initiative id {item['id']!r} (first at item {seen[item['id']]})"))
        seen.setdefault(item["id"], i)
    return found


def settings_from_spec(spec: Any, policy: str = "", document: Any = None) -> ConflictSettings:
    """Typed settings; raises PolicyError listing every problem.

    `document` (a csi_rules.policy.loader.Document) lets findings carry file:line:col; without
    it they point at the spec path only.
    """
    problems = spec_problems(spec)
    if problems:
        raise PolicyError([_finding(ptr, msg, policy, document) for ptr, msg in problems])
    return ConflictSettings(
        policy=policy,
        same_ci=_overlap(spec.get("sameCi"), "blocking"),
        related_ci=_overlap(spec.get("relatedCi"), "advisory"),
        capacity=_capacity(spec.get("capacity")),
        blackouts=_blackouts(spec.get("blackouts")),
        maintenance=_maintenance(spec.get("maintenanceWindows")),
        initiatives=_initiatives(spec.get("initiatives")),
        max_window_us=(round(spec["maxWindowHours"] * 3_600_000_000)
                       if "maxWindowHours" in spec else None),
    )


def _finding(ptr: Pointer, message: str, policy: str, document: Any) -> Finding:
    if document is not None:
        finding: Finding = document.finding(("spec", *ptr), message)
        return finding
    path = ".".join(map(str, ("spec", *ptr)))
    return Finding("<spec>", 0, 0, policy, path, message)


def _check_window(w: Mapping[str, Any], ptr: Pointer, found: list[tuple[Pointer, str]]) -> None:
    times = {}
    for key in ("start", "end"):
        try:
            times[key] = datetime.fromisoformat(w[key])
        except ValueError:
            found.append(((*ptr, key), f"{w[key]!r} is not an ISO 8601 date-time"))
            continue
        if times[key].tzinfo is None:
            found.append(((*ptr, key), f"{w[key]!r} has no UTC offset (add 'Z' or '+01:00')"))
            del times[key]
    if len(times) == 2 and times["end"] <= times["start"]:
        found.append(((*ptr, "end"), f"end {w['end']} is not after start {w['start']}"))


def _check_zone(name: str, ptr: Pointer, found: list[tuple[Pointer, str]]) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        found.append((ptr, f"unknown time zone {name!r} (use an IANA name like Europe/Amsterdam)"))


def _on(section: Mapping[str, Any] | None) -> bool:
    return section is not None and section.get("enabled", True)


def _overlap(section: Mapping[str, Any] | None, severity: Severity) -> OverlapSettings | None:
    if not _on(section):
        return None
    assert section is not None
    return OverlapSettings(
        severity=section.get("severity", severity),
        min_overlap_us=section.get("minOverlapMinutes", 0) * _MINUTE_US,
        ignore_change_types=frozenset(section.get("ignoreChangeTypes", ())),
        relationship_types=frozenset(section.get("relationshipTypes", ())),
        depth=section.get("depth", 1),
    )


def _capacity(section: Mapping[str, Any] | None) -> CapacitySettings | None:
    if not _on(section):
        return None
    assert section is not None
    resources = tuple(CapacityResource(r["field"], r.get("capacity", 1), dict(r.get("overrides", {})))
                      for r in section["resources"])
    return CapacitySettings(section.get("severity", "advisory"), resources,
                            frozenset(section.get("ignoreChangeTypes", ())))


def _window_of(w: Mapping[str, Any], name: str) -> NamedWindow:
    return NamedWindow(name, to_micros(datetime.fromisoformat(w["start"])),
                       to_micros(datetime.fromisoformat(w["end"])))


def _blackouts(section: Mapping[str, Any] | None) -> BlackoutSettings | None:
    if not _on(section):
        return None
    assert section is not None
    windows = tuple(_window_of(w, w["name"]) for w in section["windows"])
    return BlackoutSettings(section.get("severity", "blocking"), windows,
                            frozenset(section.get("exemptChangeTypes", ())))


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _window_set(ws: Mapping[str, Any], name: str, zone: str) -> WindowSet:
    spans = []
    for span in ws.get("weekly", ()):
        start, end = _minutes(span["start"]), _minutes(span["end"])
        length = end - start if end > start else end + 24 * 60 - start
        spans.append(WeeklySpan(frozenset(DAYS.index(d) for d in span["days"]), start, length))
    explicit = tuple(_window_of(w, w.get("description", name)) for w in ws.get("explicit", ()))
    return WindowSet(name, ws.get("timeZone", zone), tuple(spans), explicit)


def _maintenance(section: Mapping[str, Any] | None) -> MaintenanceSettings | None:
    if not _on(section):
        return None
    assert section is not None
    zone = section.get("timeZone", "UTC")
    default = _window_set(section["default"], "default", zone) if "default" in section else None
    by_ci = {ci: _window_set(ws, ci, zone) for ci, ws in section.get("cis", {}).items()}
    return MaintenanceSettings(section.get("severity", "advisory"), default, by_ci,
                               frozenset(section.get("exemptChangeTypes", ())))


def _initiatives(section: Mapping[str, Any] | None) -> InitiativeSettings | None:
    if not _on(section):
        return None
    assert section is not None
    items = tuple(
        Initiative(i["id"], i.get("title", ""), to_micros(datetime.fromisoformat(i["start"])),
                   to_micros(datetime.fromisoformat(i["end"])), frozenset(i.get("people", ())),
                   frozenset(i.get("groups", ())), frozenset(i.get("configurationItems", ())))
        for i in section["items"])
    compete = frozenset(section.get("competeOn", ("people", "groups", "configurationItems")))
    return InitiativeSettings(section.get("severity", "advisory"), items, compete)
