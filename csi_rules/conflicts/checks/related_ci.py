"""relatedCi: overlapping changes on CIs linked in the CMDB graph.

Each related CI pair {x, y} that both carry changes is swept once, from the side with more
changes: for a CI x, one two-list sweep runs x's changes against the changes of all its related
CIs that carry fewer changes. A busy CI (hundreds of changes) is thus sorted once, not once per
neighbour. Pairs of changes the sameCi check already reported are left out, so one collision is
not reported twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence, Set
from itertools import chain

from csi_rules.conflicts.bookings import Booking
from csi_rules.conflicts.checks.common import intervals_by_ci, taking_part
from csi_rules.conflicts.cmdb import Path, RelationshipGraph
from csi_rules.conflicts.model import Conflict
from csi_rules.conflicts.settings import OverlapSettings
from csi_rules.conflicts.sweep import cross_pairs

Link = tuple[str, str]  # (a CI of one change, a related CI of the other), in name order


def find_related_ci(bookings: Sequence[Booking], settings: OverlapSettings,
                    graph: RelationshipGraph, already_reported: Set[tuple[int, int]] = frozenset(),
                    policy: str = "") -> list[Conflict]:
    """One conflict per pair of changes, listing every CI link that brings them together."""
    types, depth, min_overlap = settings.relationship_types, settings.depth, settings.min_overlap_us
    by_ci = intervals_by_ci(taking_part(bookings, settings.ignore_change_types))
    rank = {ci: (len(intervals), ci) for ci, intervals in by_ci.items()}
    smaller: dict[str, list[str]] = {}
    within, ranked = graph.within, rank.get
    for ci, mine in rank.items():
        # CIs without changes are not ranked: `or mine` makes them fail the comparison
        below = [other for other in within(ci, types, depth)
                 if (ranked(other) or mine) < mine]
        if below:
            smaller[ci] = below
    links: dict[tuple[int, int], set[Link]] = defaultdict(set)
    for ci in sorted(smaller):
        neighbours = frozenset(smaller[ci])
        # a change on several of these CIs appears more than once: the pair repeats, the link
        # set below absorbs it, and that is cheaper than de-duplicating every list
        right = list(chain.from_iterable(map(by_ci.__getitem__, smaller[ci])))
        for a, b, start, end in cross_pairs(by_ci[ci], right):
            if a == b or end - start < min_overlap:
                continue
            key = (a, b) if a < b else (b, a)
            if key not in already_reported:
                found = links[key]
                for other in neighbours.intersection(bookings[b].ci_set):
                    found.add((ci, other) if ci < other else (other, ci))
    paths: dict[Link, str] = {}
    conflicts = []
    for (a, b), found in links.items():
        for link in found:
            if link not in paths:
                paths[link] = path_text(graph.path(link[0], link[1], types, depth))
        conflicts.append(_conflict(bookings[a], bookings[b], found, paths, settings, policy))
    return conflicts


def path_text(path: Path) -> str:
    """'app01 runs_on srv01; srv01 depends_on san01'."""
    return "; ".join(rel.text() for rel in path)


def _conflict(one: Booking, two: Booking, links: set[Link], paths: dict[Link, str],
              settings: OverlapSettings, policy: str) -> Conflict:
    first, second = (one, two) if one.ref < two.ref else (two, one)
    start, end = max(first.start_us, second.start_us), min(first.end_us, second.end_us)
    if len(links) == 1:
        (link,) = links
        name = f"{link[0]}~{link[1]}"
        subjects: tuple[str, ...] = (name,)
        by_name = {name: paths[link]}
    else:
        ordered = sorted(links)
        subjects = tuple(f"{x}~{y}" for x, y in ordered)
        by_name = {name: paths[link] for name, link in zip(subjects, ordered, strict=True)}
    return Conflict(
        check="relatedCi", severity=settings.severity, changes=(first.ref, second.ref),
        subject_kind="ci_link", subjects=subjects, start_us=start, end_us=end,
        details={"paths": by_name}, policy=policy)
