"""The sweep primitives: half-open windows, ties, hand-overs, and agreement with naive loops."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.conflicts.sweep import cross_pairs, overbooked_episodes, overlapping_pairs


def _pairs(found: object) -> set[tuple[int, ...]]:
    return {(min(a, b), max(a, b), s, e) for a, b, s, e in found}  # type: ignore[attr-defined]


def test_windows_that_only_touch_do_not_overlap() -> None:
    assert list(overlapping_pairs([(0, 10, 1), (10, 20, 2)])) == []
    assert list(cross_pairs([(0, 10, 1)], [(10, 20, 2)])) == []


def test_equal_starts_and_nested_windows_overlap() -> None:
    found = _pairs(overlapping_pairs([(0, 10, 1), (0, 4, 2), (2, 3, 3)]))
    assert found == {(1, 2, 0, 4), (1, 3, 2, 3), (2, 3, 2, 3)}


def test_capacity_episode_does_not_split_where_one_change_hands_over_to_the_next() -> None:
    # A runs 0-10; B 0-5 then C 5-10 take over: two changes at every moment of 0-10.
    episodes = overbooked_episodes([(0, 10, 1), (0, 5, 2), (5, 10, 3)], capacity=1)
    assert [(e.start, e.end, e.members, e.peak) for e in episodes] == [(0, 10, (1, 2, 3), 2)]


def test_back_to_back_changes_do_not_overbook() -> None:
    assert overbooked_episodes([(0, 5, 1), (5, 10, 2), (10, 15, 3)], capacity=1) == []


def test_overbooking_reports_each_stretch_with_only_the_changes_inside_it() -> None:
    intervals = [(0, 4, 1), (2, 6, 2), (8, 12, 3), (9, 10, 4), (9, 11, 5)]
    episodes = overbooked_episodes(intervals, capacity=1)
    assert [(e.start, e.end, e.members, e.peak) for e in episodes] == [
        (2, 4, (1, 2), 2), (9, 11, (3, 4, 5), 3)]


intervals = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10)), max_size=30).map(
    lambda xs: [(s, s + d, k) for k, (s, d) in enumerate(xs)])


@settings(max_examples=200, deadline=None)
@given(intervals, intervals)
def test_two_list_sweep_finds_exactly_the_overlapping_cross_pairs(left: list, right: list) -> None:
    right = [(s, e, k + 100) for s, e, k in right]
    naive = {(a, b, max(s1, s2), min(e1, e2)) for s1, e1, a in left for s2, e2, b in right
             if s1 < e2 and s2 < e1}
    found = list(cross_pairs(left, right))
    assert len(found) == len(set(found)) and set(found) == naive


@settings(max_examples=200, deadline=None)
@given(intervals)
def test_one_list_sweep_finds_every_overlapping_pair_once(items: list) -> None:
    naive = {(a, b, max(s1, s2), min(e1, e2)) for s1, e1, a in items for s2, e2, b in items
             if a < b and s1 < e2 and s2 < e1}
    found = [(min(a, b), max(a, b), s, e) for a, b, s, e in overlapping_pairs(items)]
    assert len(found) == len(set(found)) and set(found) == naive
