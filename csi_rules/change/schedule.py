"""Conflicts between one change and the planned schedule, for the gate's no_conflicts check.

The gate fails closed: whatever keeps a check from judging this change (no window, no CIs, no
booked resource, a schedule change on one of its CIs whose window cannot be placed) comes back
as an `Unplaceable` finding with the severity of the check that could not run, never as a pass.
A policy set without a ConflictPolicy is judged by the documented default, DEFAULT_SETTINGS:
a blocking same-CI overlap check that ignores no change type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.conflicts.settings import ConflictSettings, OverlapSettings
from csi_rules.policy.model import PolicySet
from csi_rules.records.model import MISSING, Record

DEFAULT_SETTINGS = ConflictSettings(policy="default-same-ci", same_ci=OverlapSettings("blocking"))
# A change in one of these states no longer occupies its CIs.
FINISHED = frozenset({"closed", "canceled"})


class ScheduleFindings(list[Any]):
    """Conflicts and Unplaceable findings for one change, plus notes on what was left out."""

    def __init__(self, items: Iterable[Any] = (), notes: Iterable[str] = ()):
        super().__init__(items)
        self.notes: list[str] = list(notes)


def schedule_conflicts(policy_set: PolicySet, change: Record, schedule: str | None,
                       cmdb: str | None) -> ScheduleFindings | None:
    """Conflicts involving `change` under every ConflictPolicy, against the `schedule` file.

    None when there is no schedule to check against (the gate then says so).
    """
    if schedule is None:
        return None
    from csi_rules.conflicts import load_changes, load_cmdb

    return conflicts_with(policy_set, change, load_changes(schedule).changes,
                          load_cmdb(cmdb) if cmdb else None)


def conflict_settings(policy_set: PolicySet) -> list[ConflictSettings]:
    """The set's ConflictPolicies, or the documented same-CI default when it has none."""
    return [p.compiled for p in policy_set.of_kind("ConflictPolicy")] or [DEFAULT_SETTINGS]


def same_change(one: Record, two: Record) -> bool:
    """The same change under either of its names (a schedule may list it by number)."""
    if one.id == two.id:
        return True
    a, b = one.data.get("number"), two.data.get("number")
    return bool(a) and a == b


def conflicts_with(policy_set: PolicySet, change: Record, others: Sequence[Record],
                   graph: Any = None) -> ScheduleFindings:
    """Conflicts that involve `change` under every ConflictPolicy of the set (or the default).

    The change under test is taken out of the schedule (it never conflicts with itself), and
    so are closed and canceled changes.
    """
    from csi_rules.conflicts import run_conflicts

    every = conflict_settings(policy_set)
    near = schedule_near(change, others, every)
    by_id = {r.id: r for r in near}
    found = ScheduleFindings()
    for settings in every:
        report = run_conflicts([change, *near], settings, graph)
        found += report.involving(change.id)
        own = [u for u in report.unchecked if u.change.id == change.id]
        found += [Unplaceable(u.reason) for u in own]
        if not own:
            others_unplaced = [by_id[u.change.id] for u in report.unchecked
                               if u.change.id in by_id and not u.by_policy]
            found += _missing_data(change, others_unplaced, settings, found.notes)
    if not policy_set.of_kind("ConflictPolicy"):
        found.notes.append("no ConflictPolicy: checked by the default (blocking same-CI overlaps)")
    return found


def _live(change: Record, other: Record) -> bool:
    """Whether `other` still occupies its CIs and is not the change under test."""
    return not same_change(other, change) and other.data.get("state") not in FINISHED


def schedule_near(change: Record, others: Sequence[Record],
                  every: Sequence[ConflictSettings]) -> list[Record]:
    """The live schedule changes that can take part in a finding about `change` under any of
    `every` settings, in schedule order (one cheap pass: this is the gate's latency on a
    schedule of tens of thousands of changes).

    A pairwise check needs another change whose planned window overlaps this one's (every
    window a change books lies inside its planned_start - planned_end), on a shared CI for
    sameCi, on any CI for relatedCi (the graph decides); a change without a usable window
    matters only when it shares a CI (it is then reported as unplaceable); capacity needs every
    change booking one of the same resources, whenever (an overbooked stretch reaches as far as
    its bookings do). Blackouts and maintenance windows judge the change alone. The search
    over these few gives the same findings for the change as over the whole schedule. When the
    change has no usable window, or ids repeat (the search then tells duplicates apart by
    order), every live change is kept.
    """
    start, end = change.data.get("planned_start"), change.data.get("planned_end")
    ids = [r.data["id"] for r in others]
    if not (isinstance(start, datetime) and isinstance(end, datetime) and start < end) \
            or len(set(map(str, ids))) != len(ids):
        return [r for r in others if _live(change, r)]
    cis = _cis(change)
    by_time = any(s.related_ci is not None for s in every)  # else only shared CIs can meet
    wanted = [(r.field, _names(change.get(r.field))) for s in every if s.capacity is not None
              for r in s.capacity.resources]
    wanted = [(name, names) for name, names in wanted if names]
    near = []
    for other in others:
        data = other.data
        meets = not cis.isdisjoint(data.get("configuration_items") or ())  # a shared CI
        if meets or by_time:
            s, e = data.get("planned_start"), data.get("planned_end")
            if isinstance(s, datetime) and isinstance(e, datetime) and s < e \
                    and data.get("kind") == "change":
                meets = s < end and start < e  # placeable: it must overlap in time too
            if meets:
                near.append(other)
                continue
        if wanted and any(not names.isdisjoint(_names(other.get(name)))
                          for name, names in wanted):
            near.append(other)
    return [r for r in near if _live(change, r)]


def _names(value: Any) -> frozenset[str]:
    """Resource names as capacity's resource_names reads them (one, a list, or none)."""
    if value is MISSING or value == "":
        return frozenset()
    if isinstance(value, list | tuple):
        return frozenset(str(v) for v in value if v not in (None, ""))
    return frozenset((str(value),))


def _cis(record: Record) -> frozenset[str]:
    value = record.get("configuration_items")
    return frozenset(value) if isinstance(value, list | tuple) else frozenset()


def _missing_data(change: Record, unplaced: Sequence[Record], settings: ConflictSettings,
                  notes: list[str]) -> list[Unplaceable]:
    """What keeps each check of `settings` from judging `change`, as findings of its severity."""
    out: list[Unplaceable] = []
    kind = change.get("change_type")
    name = settings.policy
    cis = _cis(change)
    for check, section in (("sameCi", settings.same_ci), ("relatedCi", settings.related_ci)):
        if section is None:
            continue
        if kind in section.ignore_change_types:
            notes.append(f"{name}: {check} leaves out {kind} changes by policy")
            continue
        if not cis:
            out.append(Unplaceable(f"{check} ({name}): the change names no configuration items",
                                   section.severity))
            continue
        for other in unplaced:
            shared = sorted(cis & _cis(other))
            if shared and other.get("change_type") not in section.ignore_change_types:
                out.append(Unplaceable(
                    f"{check} ({name}): {other.label} on {', '.join(shared)} has no usable "
                    "planned window, so an overlap cannot be ruled out", section.severity))
    capacity = settings.capacity
    if capacity is not None:
        if kind in capacity.ignore_change_types:
            notes.append(f"{name}: capacity leaves out {kind} changes by policy")
        else:
            fields = [r.field for r in capacity.resources]
            if all(_empty(change.get(f)) for f in fields):
                out.append(Unplaceable(f"capacity ({name}): the change books none of "
                                       f"{', '.join(fields)}", capacity.severity))
    if settings.maintenance is not None and not cis and \
            kind not in settings.maintenance.exempt_change_types:
        out.append(Unplaceable(f"maintenanceWindows ({name}): the change names no configuration "
                               "items", settings.maintenance.severity))
    return out


def _empty(value: Any) -> bool:
    return value is MISSING or value is None or value == "" or value == [] or value == ()


@dataclass(frozen=True)
class Unplaceable:
    """A check could not judge this change (no window, no CIs, ...): never a silent pass."""

    reason: str
    severity: str = "blocking"

    @property
    def explanation(self) -> str:
        return f"cannot check this change for conflicts: {self.reason}"
