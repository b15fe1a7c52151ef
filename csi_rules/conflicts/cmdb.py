"""The CMDB relationship graph, and which CIs lie within a few hops of a CI.

Relationships are followed in both directions: a change on a server and a change on the
application running on it collide whichever of the two the relationship points from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Relationship:
    """One CMDB edge as the CMDB states it: `source type target` (app01 runs_on srv01)."""

    source: str
    type: str
    target: str

    def text(self) -> str:
        return f"{self.source} {self.type} {self.target}"


def normalize_type(name: str) -> str:
    """'Depends on::Used by' (ServiceNow cmdb_rel_type) -> 'depends_on'; 'runs_on' unchanged."""
    forward = name.split("::", 1)[0].strip().lower()
    return "_".join(forward.replace("-", " ").split())


Path = tuple[Relationship, ...]


class RelationshipGraph:
    """Undirected adjacency over typed edges, with per-CI neighbourhoods computed once."""

    def __init__(self, relationships: Iterable[Relationship]):
        self.relationships = tuple(sorted(set(relationships)))
        adjacency: dict[str, list[tuple[str, Relationship]]] = defaultdict(list)
        for rel in self.relationships:
            if rel.source == rel.target:
                continue
            adjacency[rel.source].append((rel.target, rel))
            adjacency[rel.target].append((rel.source, rel))
        self._adjacency = {ci: sorted(edges) for ci, edges in adjacency.items()}
        self._cache: dict[tuple[str, frozenset[str], int],
                          tuple[dict[str, int], dict[str, tuple[str, Relationship]]]] = {}

    def __len__(self) -> int:
        return len(self.relationships)

    def types(self) -> set[str]:
        return {rel.type for rel in self.relationships}

    def within(self, ci: str, types: frozenset[str], depth: int) -> dict[str, int]:
        """Every other CI at most `depth` hops from `ci` over edges of `types`, with its distance."""
        return self._search(ci, types, depth)[0]

    def path(self, ci: str, other: str, types: frozenset[str], depth: int) -> Path:
        """One shortest path from `ci` to `other` (breadth-first over sorted edges, so always
        the same one); empty when `other` is not within `depth` hops."""
        parents = self._search(ci, types, depth)[1]
        if other not in parents:
            return ()
        steps: list[Relationship] = []
        node = other
        while node != ci:
            node, rel = parents[node]
            steps.append(rel)
        return tuple(reversed(steps))

    def _search(self, ci: str, types: frozenset[str],
                depth: int) -> tuple[dict[str, int], dict[str, tuple[str, Relationship]]]:
        cache_key = (ci, types, depth)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        hops: dict[str, int] = {}
        parents: dict[str, tuple[str, Relationship]] = {}
        frontier = [ci]
        for level in range(1, depth + 1):
            following: list[str] = []
            for node in frontier:
                for neighbour, rel in self._adjacency.get(node, ()):
                    if neighbour != ci and neighbour not in hops and rel.type in types:
                        hops[neighbour] = level
                        parents[neighbour] = (node, rel)
                        following.append(neighbour)
            frontier = following
        self._cache[cache_key] = (hops, parents)
        return hops, parents
