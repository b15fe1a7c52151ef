"""Measuring helpers: one configuration per fresh process, so peak RSS belongs to it alone.

Memory is `resource.getrusage(...).ru_maxrss` (peak resident set, KiB on Linux): the
"data" figure is taken after the records are generated and before any engine is imported
or built, the "peak" figure at the end. A durable worker process's own peak is its VmHWM from
/proc/<pid>/status, read just before it is closed.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any


def peak_rss_kib(children: bool = False) -> int:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return int(resource.getrusage(who).ru_maxrss)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latencies_us(call: Callable[[Any], Any], items: Sequence[Any],
                 clock: Callable[[], int] = time.perf_counter_ns) -> list[float]:
    """Wall time of each single call, in microseconds (`clock=time.thread_time_ns`: the CPU
    time of this thread, which leaves out the time the scheduler gave other processes)."""
    out = []
    for item in items:
        start = clock()
        call(item)
        out.append((clock() - start) / 1000)
    return out


def run_child(module: str, args: list[str]) -> dict[str, Any]:
    """Run `python -m module args...` and parse the JSON object it prints last."""
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed_child(argv: list[str]) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system, from RUSAGE_CHILDREN) and standard output of one
    child process; exit 0 or 1 (a verdict) is an answer, anything else stops the bench."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[:3])}...: exit {proc.returncode}: {proc.stderr[-500:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, proc.stdout


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    pairs = list(zip(headers, widths, strict=True))
    line = "  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(pairs))
    out = [line, "-" * len(line)]
    for row in rows:
        out.append("  ".join(c.rjust(w) if i else c.ljust(w)
                             for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(out)
