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
        self._within: dict[tuple[str, frozenset[str], int], dict[str, int]] = {}
        self._by_types: dict[frozenset[str], dict[str, list[str]]] = {}

    def __len__(self) -> int:
        return len(self.relationships)

    def types(self) -> set[str]:
        return {rel.type for rel in self.relationships}

    def within(self, ci: str, types: frozenset[str], depth: int) -> dict[str, int]:
        """Every other CI at most `depth` hops from `ci` over edges of `types`, with its distance."""
        cache_key = (ci, types, depth)
        cached = self._within.get(cache_key)
        if cached is not None:
            return cached
        adjacency = self._typed(types)
        hops: dict[str, int] = {ci: 0}
        frontier = [ci]
        for level in range(1, depth + 1):
            following = []
            for node in frontier:
                for neighbour in adjacency.get(node, ()):
                    if neighbour not in hops:
                        hops[neighbour] = level
                        following.append(neighbour)
            frontier = following
        del hops[ci]
        self._within[cache_key] = hops
        return hops

    def path(self, ci: str, other: str, types: frozenset[str], depth: int) -> Path:
        """One shortest path from `ci` to `other`, empty when `other` is not within `depth` hops.

        Walks back from `other` through the BFS distances, taking the first edge (in sorted
        order) that steps one hop closer, so the same graph always gives the same path.
        """
        hops = self.within(ci, types, depth)
        if other not in hops:
            return ()
        steps: list[Relationship] = []
        node = other
        while node != ci:
            closer = hops[node] - 1
            for neighbour, rel in self._adjacency[node]:
                if rel.type in types and (neighbour == ci if closer == 0
                                          else hops.get(neighbour) == closer):
                    steps.append(rel)
                    node = neighbour
                    break
        return tuple(reversed(steps))

    def _typed(self, types: frozenset[str]) -> dict[str, list[str]]:
        """Neighbour names over edges of `types` only, built once per set of types."""
        typed = self._by_types.get(types)
        if typed is None:
            typed = {ci: [n for n, rel in edges if rel.type in types]
                     for ci, edges in self._adjacency.items()}
            self._by_types[types] = typed
        return typed
