"""Differential run, N-version: CompiledMatcher, DurableMatcher (process isolation) and the
reference on up to 1M generated records, new generated rule groups every 100,000 records.
Prints disagreements (must be 0: all three equal on every record) and each side's
throughput. On every `REASONS_EVERY`-th record the compiled matcher's reasons for each rule
it matched (`match_values` + `reasons_of`, what `Evaluator.evaluate` reads) are compared with
the reference's `explain` too (equal, and the same text).

Latest (2026-12-05 01:31 UTC, load ~2.2, results shared and reasons made by matcher):
`--records 50000`: 0 disagreements, 21.2 s wall; compiled 47,284 records/s alone, durable
2,730 and the reference 3,823 run concurrently (0 as well at 00:54 and 01:06 on this work's
intermediate trees)."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

ROUND = 100_000
CHUNK = 10_000
REASONS_EVERY = 10


def _timed(reference: Any, chunk: list[Any]) -> tuple[Any, float]:
    from csi_rules.engine.testing import NOW

    return reference.match_many(chunk, NOW), time.perf_counter()


def run(records: int, seed: int = 2024) -> int:
    from csi_rules.cli.progress import counter

    started = time.perf_counter()
    with counter("differential", "record", records) as advance:  # a bar on a terminal only
        done, bad, times, first_bad = _rounds(records, seed, advance)
    durable_s, reference_s, compiled_s = times
    wall = time.perf_counter() - started
    print(f"\ndifferential: {done:,} records, {bad} disagreements (reasons compared on every "
          f"{REASONS_EVERY}th record's matched rules), {wall:.1f} s wall "
          f"(durable side {done / durable_s:,.0f} records/s, reference side "
          f"{done / reference_s:,.0f} records/s, run concurrently; compiled "
          f"{done / compiled_s:,.0f} records/s, run alone)")
    if first_bad:
        print("first disagreement (data, durable, compiled, reference):", first_bad)
    return 1 if bad else 0


def _rounds(records: int, seed: int, advance: Callable[[int], object]) -> tuple[
        int, int, tuple[float, float, float], Any]:
    from csi_rules.engine.compiled import CompiledMatcher
    from csi_rules.engine.matcher import DurableMatcher
    from csi_rules.engine.reference import ReferenceMatcher
    from csi_rules.engine.testing import NOW, random_groups, record_stream

    done = bad = 0
    durable_s = reference_s = compiled_s = 0.0
    first_bad = None
    for round_no in range((records + ROUND - 1) // ROUND):
        rng = random.Random(seed + round_no)
        groups = random_groups(rng, count=6, max_rules=20)
        reference, compiled = ReferenceMatcher(groups), CompiledMatcher(groups)
        conditions = {(g.group_id, s.key): s.condition for g in groups for s in g.rules}
        with DurableMatcher(groups) as matcher, ThreadPoolExecutor(1) as pool:
            stream = record_stream(rng, min(ROUND, records - done))
            while chunk := list(itertools.islice(stream, CHUNK)):
                t0 = time.perf_counter()
                want = pool.submit(_timed, reference, chunk)
                got = matcher.match_many(chunk, NOW)
                durable_s += time.perf_counter() - t0
                t2 = time.perf_counter()
                fast = compiled.match_many(chunk, NOW)
                compiled_s += time.perf_counter() - t2
                expected, t1 = want.result()
                reference_s += t1 - t0
                for record, a, c, b in zip(chunk, got, fast, expected, strict=True):
                    if not a == c == b:
                        bad += 1
                        first_bad = first_bad or (record.data, a, c, b)
                for record in chunk[::REASONS_EVERY]:
                    wrong = _reasons_differ(compiled, conditions, record)
                    if wrong:
                        bad += 1
                        first_bad = first_bad or (record.data, "reasons of", wrong)
                done += len(chunk)
                advance(len(chunk))
        print(f"  {done:>9,} records  disagreements so far: {bad}", flush=True)
    return done, bad, (durable_s, reference_s, compiled_s), first_bad


def _reasons_differ(compiled: Any, conditions: dict[tuple[str, str], Any], record: Any
                    ) -> tuple[str, str] | None:
    """The first matched rule whose compiled reasons differ from the reference's `explain`
    (values, results and text), or None."""
    from csi_rules.conditions.evaluate import explain
    from csi_rules.engine.lookup import record_lookup
    from csi_rules.engine.testing import NOW

    result, values = compiled.match_values(record, NOW)
    lookup = record_lookup(record, NOW)
    for group_id, keys in result.items():
        for key in keys:
            got = compiled.reasons_of(group_id, key)(values)
            want = tuple(explain(conditions[(group_id, key)], lookup))
            if got != want or [r.format() for r in got] != [r.format() for r in want]:
                return group_id, key
    return None
