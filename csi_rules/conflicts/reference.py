"""The obviously-correct, all-pairs version of every check: O(n^2), for tests and benchmarks only.

Property tests require `reference_conflicts` and `run_conflicts` to return identical reports on
random schedules, and bench/conflicts.py times this as the baseline. It shares only the input
model (bookings, settings, graph edges) and the sentence wording with the real search; the
pair finding, graph distances, overbooking and window coverage are all recomputed naively.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from csi_rules.conflicts.accounting import excluded_by_policy, without_data
from csi_rules.conflicts.bookings import Booking, make_bookings
from csi_rules.conflicts.checks.capacity import _conflict as capacity_conflict
from csi_rules.conflicts.checks.capacity import resource_names
from csi_rules.conflicts.checks.initiatives import change_needs
from csi_rules.conflicts.checks.maintenance import _conflict as maintenance_conflict
from csi_rules.conflicts.checks.related_ci import _conflict as related_conflict
from csi_rules.conflicts.checks.related_ci import path_text
from csi_rules.conflicts.cmdb import RelationshipGraph
from csi_rules.conflicts.model import ChangeRef, Conflict, ConflictReport, from_micros, to_micros
from csi_rules.conflicts.settings import (
    BlackoutSettings,
    CapacitySettings,
    ConflictSettings,
    InitiativeSettings,
    MaintenanceSettings,
    OverlapSettings,
    WindowSet,
)
from csi_rules.errors import UsageError
from csi_rules.records import Record

_DAY = timedelta(days=1)


def reference_conflicts(changes: Iterable[Record], settings: ConflictSettings,
                        cmdb: RelationshipGraph | None = None) -> ConflictReport:
    if settings.related_ci is not None and cmdb is None:
        raise UsageError("the relatedCi check needs a CMDB relationship graph (--cmdb FILE)")
    bookings, unchecked = make_bookings(changes, settings.max_window_us)
    p = settings.policy
    found: list[Conflict] = []
    ran: list[str] = []
    notes: list[str] = []
    same_pairs: set[tuple[str, str]] = set()
    if settings.same_ci is not None:
        ran.append("sameCi")
        same = _same_ci(bookings, settings.same_ci, p)
        same_pairs = {(c.changes[0].id, c.changes[1].id) for c in same}
        found += same
    if settings.related_ci is not None and cmdb is not None:
        ran.append("relatedCi")
        found += _related_ci(bookings, settings.related_ci, cmdb, same_pairs, p)
        unknown = sorted(settings.related_ci.relationship_types - cmdb.types())
        if unknown:
            notes.append(f"relatedCi: the CMDB graph has no relationships of type "
                         f"{', '.join(unknown)}")
    if settings.capacity is not None:
        ran.append("capacity")
        found += _capacity(bookings, settings.capacity, p)
    if settings.blackouts is not None:
        ran.append("blackouts")
        found += _blackouts(bookings, settings.blackouts, p)
    if settings.maintenance is not None:
        ran.append("maintenanceWindows")
        found += _maintenance(bookings, settings.maintenance, p)
    if settings.initiatives is not None:
        ran.append("initiatives")
        found += _initiatives(bookings, settings.initiatives, p)
    found.sort(key=Conflict.sort_key)
    excluded = excluded_by_policy(bookings, settings)
    if any(u.by_policy for u in unchecked):
        excluded["maxWindowHours"] = sum(1 for u in unchecked if u.by_policy)
    return ConflictReport(tuple(found), tuple(unchecked), len({b.ref.id for b in bookings}),
                          tuple(ran), p, tuple(notes), excluded, without_data(bookings, settings))


def _overlap(a: Booking, b: Booking) -> tuple[int, int]:
    return max(a.start_us, b.start_us), min(a.end_us, b.end_us)


def _all_pairs(bookings: Sequence[Booking], skip: frozenset[str]) -> Iterable[tuple[Booking, Booking]]:
    """Every pair of taking-part bookings whose windows overlap, each in change-ref order."""
    part = sorted((b for b in bookings if b.change_type not in skip), key=lambda b: b.ref)
    for i, a in enumerate(part):
        a_start, a_end = a.start_us, a.end_us
        for b in part[i + 1:]:
            if b.start_us < a_end and a_start < b.end_us:
                yield a, b


def _same_ci(bookings: Sequence[Booking], s: OverlapSettings, p: str) -> list[Conflict]:
    out = []
    for a, b in _all_pairs(bookings, s.ignore_change_types):
        start, end = _overlap(a, b)
        shared = sorted(set(a.cis) & set(b.cis))
        if shared and end > start and end - start >= s.min_overlap_us:
            out.append(Conflict("sameCi", s.severity, (a.ref, b.ref), "ci", tuple(shared), start,
                                end, policy=p))
    return out


def _adjacency(graph: RelationshipGraph, types: frozenset[str]) -> dict[str, set[str]]:
    """Undirected neighbour sets over edges of `types`, built from the raw edge list."""
    adjacency: dict[str, set[str]] = {}
    for rel in graph.relationships:
        if rel.type in types and rel.source != rel.target:
            adjacency.setdefault(rel.source, set()).add(rel.target)
            adjacency.setdefault(rel.target, set()).add(rel.source)
    return adjacency


def _distances(adjacency: dict[str, set[str]], origin: str, depth: int) -> dict[str, int]:
    """Hop counts from `origin`, found by relaxing `depth` rounds over every known node."""
    dist = {origin: 0}
    for _ in range(depth):
        for node, d in list(dist.items()):
            for neighbour in adjacency.get(node, ()):
                if d + 1 < dist.get(neighbour, 1 << 30):
                    dist[neighbour] = d + 1
    return dist


def _related_ci(bookings: Sequence[Booking], s: OverlapSettings, graph: RelationshipGraph,
                same_pairs: set[tuple[str, str]], p: str) -> list[Conflict]:
    cache: dict[str, dict[str, int]] = {}
    paths: dict[tuple[str, str], str] = {}
    adjacency = _adjacency(graph, s.relationship_types)
    out = []
    for a, b in _all_pairs(bookings, s.ignore_change_types):
        start, end = _overlap(a, b)
        if end <= start or end - start < s.min_overlap_us or (a.ref.id, b.ref.id) in same_pairs:
            continue
        links = set()
        for x in a.cis:
            for y in b.cis:
                if x == y:
                    continue
                lo, hi = min(x, y), max(x, y)
                if lo not in cache:
                    cache[lo] = _distances(adjacency, lo, s.depth)
                dist = cache[lo]
                if dist.get(hi, 1 << 30) <= s.depth:
                    links.add((lo, hi))
                    paths[(lo, hi)] = path_text(graph.path(lo, hi, s.relationship_types, s.depth))
        if links:
            out.append(related_conflict(a, b, links, paths, s, p))
    return out


def _capacity(bookings: Sequence[Booking], s: CapacitySettings, p: str) -> list[Conflict]:
    out = []
    part = [b for b in bookings if b.change_type not in s.ignore_change_types]
    for resource in s.resources:
        names = sorted({n for b in part for n in resource_names(b, resource.field)})
        for name in names:
            mine = [b for b in part if name in resource_names(b, resource.field)]
            cap = resource.capacity_of(name)
            points = sorted({t for b in mine for t in (b.start_us, b.end_us)})
            over = []
            for lo, hi in pairwise(points):
                count = sum(1 for b in mine if b.start_us <= lo and b.end_us >= hi)
                if count > cap:
                    over.append((lo, hi, count))
            episodes: list[list[int]] = []
            for lo, hi, count in over:
                if episodes and episodes[-1][1] == lo:
                    episodes[-1][1], episodes[-1][2] = hi, max(episodes[-1][2], count)
                else:
                    episodes.append([lo, hi, count])
            for lo, hi, peak in episodes:
                members = [b.key for b in mine if b.start_us < hi and b.end_us > lo]
                out.append(capacity_conflict(bookings, resource, name, cap, lo, hi, members,
                                             peak, s, p))
    return out


def _blackouts(bookings: Sequence[Booking], s: BlackoutSettings, p: str) -> list[Conflict]:
    out = []
    for b in bookings:
        if b.change_type in s.exempt_change_types:
            continue
        for w in s.windows:
            start, end = max(b.start_us, w.start_us), min(b.end_us, w.end_us)
            if end > start:
                out.append(Conflict("blackouts", s.severity, (b.ref,), "blackout", (w.name,),
                                    start, end, policy=p))
    return out


def _spans(ws: WindowSet, start_us: int, end_us: int) -> list[tuple[int, int]]:
    spans = [(w.start_us, w.end_us) for w in ws.explicit]
    zone = ZoneInfo(ws.time_zone)
    day = from_micros(start_us).astimezone(zone).date() - 8 * _DAY
    last = from_micros(end_us).astimezone(zone).date() + _DAY
    while day <= last:
        for span in ws.weekly:
            if day.weekday() in span.days:
                local = datetime(day.year, day.month, day.day) + timedelta(minutes=span.start_min)
                lo = to_micros(local.replace(tzinfo=zone))
                hi = to_micros((local + timedelta(minutes=span.length_min)).replace(tzinfo=zone))
                if hi > lo:
                    spans.append((lo, hi))
        day += _DAY
    return spans


def _first_gap(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    t = start
    while True:
        reach = [e for s, e in spans if s <= t < e]
        if not reach:
            break
        t = max(reach)
    if t >= end:
        return None
    later = [s for s, _ in spans if s > t]
    return t, min([end, *later])


def _maintenance(bookings: Sequence[Booking], s: MaintenanceSettings, p: str) -> list[Conflict]:
    out = []
    for b in bookings:
        if b.change_type in s.exempt_change_types:
            continue
        groups: dict[int, tuple[WindowSet, list[str]]] = {}
        for ci in b.cis:
            ws = s.window_set_for(ci)
            if ws is not None:
                groups.setdefault(id(ws), (ws, []))[1].append(ci)
        for ws, cis in groups.values():
            gap = _first_gap(_spans(ws, b.start_us, b.end_us), b.start_us, b.end_us)
            if gap is not None:
                out.append(maintenance_conflict(b, cis, ws, gap, s, p))
    return out


def _initiatives(bookings: Sequence[Booking], s: InitiativeSettings, p: str) -> list[Conflict]:
    entries = [(b.ref, b.start_us, b.end_us, set(change_needs(b, s.compete_on))) for b in bookings]
    for item in s.items:
        needs = {f"people:{x}" for x in item.people} | {f"groups:{x}" for x in item.groups} \
            | {f"configurationItems:{x}" for x in item.configuration_items}
        needs = {n for n in needs if n.split(":", 1)[0] in s.compete_on}
        entries.append((ChangeRef(item.id, "", "initiative"), item.start_us, item.end_us, needs))
    out = []
    for i, a in enumerate(entries):
        for b in entries[i + 1:]:
            if a[0].kind == "change" and b[0].kind == "change":
                continue
            first, second = sorted((a, b), key=lambda e: (e[0].kind, e[0]))
            start, end = max(a[1], b[1]), min(a[2], b[2])
            shared = sorted(a[3] & b[3])
            if end > start and shared:
                out.append(Conflict("initiatives", s.severity, (first[0], second[0]),
                                    "shared_need", tuple(shared), start, end, policy=p))
    return out
