"""Conflict search on the whole Rabobank change table: the command against a bare
load-and-sweep script, and the sweep engine against the all-pairs reference.

    .venv/bin/python -m bench.conflicts [--runs 5] [--baseline all|sameCi|none] [--cli-reps 3]
    .venv/bin/python -m bench.conflicts --cli-only [--cli-reps 3]

The path users feel (issue 14, target <= 2x): `csi-rules conflicts --changes detail_change.zip
--mapping rabobank-changes.yaml --format json` with a sameCi-only ConflictPolicy, in a fresh
process, against BARE_SWEEP in a fresh process: the csv module over the .zip, strptime of the
planned windows in Europe/Amsterdam, rows grouped by change (overlapping rows' windows merged,
separate ones kept apart, as the loader does), a sort-and-sweep per CI. Both must count the same
conflicting pairs. Reps interleaved; medians of wall time and of the child's CPU time
(getrusage RUSAGE_CHILDREN, user + system), CPU being the steadier figure on a shared machine.

Measured 2026-12-04 (2 cores, load 5-9 from other agents; `--cli-only --cli-reps 3`): 37,179
pairs on both sides; csi-rules conflicts 9.26 s CPU / 75.2 s wall, bare 1.89 s / 12.4 s:
4.9x CPU, 6.0x wall (one earlier run: 6.0x); after the day's ingest changes 5.5x; at 21:00,
after the per-kind record check, the safe_json fast path and record_check taking plain values
by type: **4.3x CPU**.

At 23:00, after this round (`--cli-only --cli-reps 5`, load 3-4): csi-rules conflicts 3.25 s
CPU / 3.75 s wall, bare 1.16 / 1.21 s: **2.79x CPU, 3.11x wall; target <= 2x not met**. The
code from before the round, run interleaved with the new and the bare script in one run
(5 reps, medians): 4.52 s CPU / 7.72 s wall (4.6x / 5.4x) -> 2.80 s / 4.50 s (2.8x / 3.1x)
against 0.98 / 1.43 s. What the round did: the collector paused while the table loads (what
it built frozen) and while reports are searched and written; a change's one row kept as read
(merged state made only when a second row comes), rows read as value tuples, and records
built field by field from the typed values (conflicts/loading/change_records.py: each field's
record-check verdict remembered by value or by type, date-times kept typed instead of written
as ISO text and parsed back); the JSON report written conflict by conflict, in pieces
(conflicts/json_text.py; peak RSS 170 -> 121 MB). Output byte-identical to before (sameCi and
all-checks policies, JSON and table, broken rows skipped and failing). Where the command's
time goes now (one process): loading ~60 % (reading cells, mostly date-times and the
change_type patterns, about half; merging rows and building records the rest), the JSON
report ~13 %, the search ~12 %, imports and policies ~10 %, then interpreter start and exit.

Is BARE_SWEEP fair? It reads the same 30,275 rows, groups them by change, merges a change's
overlapping windows and keeps separate ones apart as the loader does, and counts the same
pairs. It is generous to the command in one way: it parses every planned time with strptime,
no cache (the same script remembering parsed texts ran 0.70 s against 1.15 s CPU). And harsh
in two: it writes no report (the command writes 17.9 MB of JSON, ~0.35 s) and parses 2 of
the 9 date-time columns the mapping asks for.

Each measurement runs in a fresh child process (`--phase data|engine|baseline`), so its peak
RSS is its own. Peak RSS is `resource.getrusage(RUSAGE_SELF).ru_maxrss` (KiB on Linux) read at
the end of the phase; "data only" is a process that loads the table and builds the CMDB graph
and stops there. Engine time is `run_conflicts` alone (loading excluded) for each check alone,
for all checks but relatedCi (the one that needs the synthetic CMDB) and for all: wall clock
(perf_counter) and CPU (process_time), median of --runs. The baseline is
csi_rules.conflicts.reference (every pair of changes compared; same report, checked equal).

Input: ../shared/data/bpi2014_rabobank_itsm/detail_change.zip read in place through
policies/mappings/rabobank-changes.yaml. The table has no CMDB, no assignees and no maintenance
windows, so the policy below adds: a synthetic CMDB (each CI gets two seeded random
depends_on/runs_on edges; relatedCi follows them to depth 2), capacity per service component
(raw.service_components, 25 concurrent changes each, as a stand-in for the team behind it), the
2012 and 2013 year-end freezes, and weekday-night plus weekend maintenance windows.
After CSV mapping patterns were remembered per cell text (4b868d0): 2.33x CPU / 2.39x wall
(3.01 s / 2.93 s CPU against 1.26 s, 5 reps), 2.59x CPU in a second run with bytecode written.

At 23:40, after the late round (dfc86b8..e9c4680; bytecode compiled first, run with bytecode
written, `--cli-only --cli-reps 5`, load average 2.1-2.7): csi-rules conflicts 2.01 / 1.96 s
CPU, 2.10 / 2.04 s wall, bare 0.94 / 0.90 s: **2.15x / 2.16x CPU, 2.24x / 2.23x wall; target
<= 2x not met**. The code before the round (7b285f3, from `git archive`), the new code and
the bare script interleaved in one run (5 reps, medians): 2.32 -> 1.95 s CPU (2.53x -> 2.13x),
2.39 -> 2.01 s wall (2.61x -> 2.19x) against 0.92 s. What the round did: date-time cells ask
the zone for the offset of the naive value (`zone.utcoffset`, not a `replace(tzinfo=)` and
`utcoffset()`; `replace` is ~2x slower than the constructor on this Python), the first
format's quick reader gives the value on its fixed offset straight away, and a date-time
column's remembered cells call the parser directly (50,473 distinct texts 0.30 -> 0.14 s;
the rows' values 0.59 -> 0.35 s); a firstOf rule remembered by the texts of the cells it
reads; id and number (one column, one converter) share their remembered cells; a list field
merged against a set of its items (one change has 1,007 rows); merge state made only at a
change's second row, and a row's fields that are the last row's very objects passed over in
C; change records take the loader's lists instead of copies, remember how each (field, type)
is taken and a fixed offset's date-time verdict by its tzinfo object (0.34 -> 0.30 s);
bookings remember each instant's microseconds. Output byte-identical to 7b285f3's (sameCi
and all-checks policies, JSON and table, broken rows failing and skipped). Where the
command's ~1.9 s CPU goes now (in one process, gc paused as the command pauses it): start-up
imports ~0.19 s (jsonschema ~0.1 s of it, imported by policy/validate.py for policy
validation; plugin loading imports every built-in kind) and policies 0.03 s; loading 1.1 s
(csv rows 0.12 s, the bare script's too; cell values 0.35 s, 0.14 s of it the 50k distinct
date-times; grouping and merging 0.14 s; a change's values 0.09 s; records 0.31 s, ~1 us a
field in Python); the search 0.26 s (bookings 0.1 s); the JSON report 0.25 s (explanations
0.06 s).
On 2026-12-05, after the round 38fe6ae..be66c79 (bytecode compiled first, run with bytecode
written; `--cli-only --cli-reps 5`, two runs at 01:26, load average 2.3-2.6): csi-rules
conflicts 1.54 / 1.54 s CPU, 2.30 / 2.39 s wall, bare 0.86 / 0.88 s CPU, 1.31 / 1.30 s wall:
**1.79x / 1.75x CPU, 1.76x / 1.83x wall; target <= 2x met** (at 01:19, before the last two
small commits, load 3.3-3.6: 1.81x / 1.75x CPU, 1.85x / 1.81x wall). The code before the
round (456f3ac), the new code and the bare script interleaved in one run (7 reps, medians,
load 2.6-2.8): 1.83 -> 1.50 s CPU (2.19x -> 1.80x), 1.91 -> 1.54 s wall (2.26x -> 1.81x)
against 0.84 s CPU / 0.85 s wall. What the round did: valid policies, the mapping and the conflict
spec are judged by a walk of their schemas (policy/schema_verdict.py, now without jsonschema)
and jsonschema is imported only to report what is wrong (~0.1 s of start-up); the calendars
package imported only when a calendar or rota is read; the change records' one-field probes
judged by the same walk, so fastjsonschema's check is not compiled (~30 ms); plain date-time
cells remembered once for all of a file's date-time columns (an actual start is often a
planned start: cell values 0.35 -> 0.26 s); a change whose rows share one window skips the
separate-window sort, its first row folds in without the merge's bookkeeping; bookings of
the usual change made at once (0.09 -> 0.07 s), sameCi pairs on a CI with two changes
compared directly and their conflicts built positionally; the JSON writer calls explain()
directly with duration words remembered per length and writes change references without
dumps; and the console script's run ends with
os._exit once its output is flushed (cli/fast_exit.py: not with an exit handler, another
thread, a tracer, profiler or warning option; ~0.04 s of teardown). Output byte-identical to
456f3ac's (sameCi and all-checks policies with a CMDB, JSON and table, broken rows failing
and skipped, broken policies and mappings; pipes, buffered or not; evaluate and replay on the
UCI log and on a broken copy). Where the ~1.5 s CPU goes now (one process, the collector
paused as the command pauses it): interpreter start 0.03 s, imports and parser 0.11 s,
policies 0.02 s; loading 0.90 s (csv rows 0.10; cell values 0.26, of which 0.11 parsing 50k
distinct date-times; grouping and merging ~0.13; records 0.24, of which 0.085 writing 52k raw
date-times as ISO text); the search 0.21 s (bookings 0.07, sameCi pairs 0.04, conflicts 0.05);
the JSON report 0.18 s (~5 us a conflict, explanations 0.05 s).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from bench.harness import peak_rss_kib, run_child, table, timed_child
from csi_rules.conflicts import (
    RelationshipGraph,
    load_changes,
    run_conflicts,
    settings_from_spec,
)
from csi_rules.conflicts.cmdb import Relationship
from csi_rules.conflicts.reference import reference_conflicts
from csi_rules.conflicts.settings import ConflictSettings
from csi_rules.records import Record

REPO = Path(__file__).resolve().parents[1]
TABLE = REPO.parent / "shared" / "data" / "bpi2014_rabobank_itsm" / "detail_change.zip"
MAPPING = REPO / "policies" / "mappings" / "rabobank-changes.yaml"
SEED = 2014

SPEC: dict[str, Any] = {
    "sameCi": {},
    "relatedCi": {"relationshipTypes": ["depends_on", "runs_on"], "depth": 2},
    "capacity": {"resources": [{"field": "raw.service_components", "capacity": 25}]},
    "blackouts": {"exemptChangeTypes": ["emergency"], "windows": [
        {"name": "year-end freeze 2012", "start": "2012-12-20T00:00:00+01:00",
         "end": "2013-01-04T00:00:00+01:00"},
        {"name": "year-end freeze 2013", "start": "2013-12-20T00:00:00+01:00",
         "end": "2014-01-06T00:00:00+01:00"}]},
    "maintenanceWindows": {"timeZone": "Europe/Amsterdam", "exemptChangeTypes": ["emergency"],
                           "default": {"weekly": [
                               {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "19:00",
                                "end": "07:00"},
                               {"days": ["sat", "sun"], "start": "00:00", "end": "24:00"}]}},
}
FIELD_OF_CHECK = {"sameCi": "same_ci", "relatedCi": "related_ci", "capacity": "capacity",
                  "blackouts": "blackouts", "maintenanceWindows": "maintenance"}


BARE_SWEEP = r"""
import csv, io, sys, zipfile
from datetime import datetime
from zoneinfo import ZoneInfo
zone = ZoneInfo("Europe/Amsterdam")
rows_of = {}
with zipfile.ZipFile(sys.argv[1]) as archive, archive.open("Detail Change.csv") as raw:
    rows = csv.reader(io.TextIOWrapper(raw, "utf-8"), delimiter=";")
    header = next(rows)
    ci_at, id_at = header.index("CI Name (aff)"), header.index("Change ID")
    start_at, end_at = header.index("Planned Start"), header.index("Planned End")
    for row in rows:
        start, end = row[start_at].strip(), row[end_at].strip()
        window = None
        if start and end:
            window = (datetime.strptime(start, "%d-%m-%Y %H:%M").replace(tzinfo=zone).timestamp(),
                      datetime.strptime(end, "%d-%m-%Y %H:%M").replace(tzinfo=zone).timestamp())
        rows_of.setdefault(row[id_at], []).append((window, row[ci_at].strip()))
by_ci = {}
for change, rows in rows_of.items():
    if any(w is None for w, _ in rows):
        continue
    merged = []
    for (start, end), ci in sorted(rows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].add(ci)
        else:
            merged.append([start, end, {ci}])
    for start, end, cis in merged:
        if end > start:
            for ci in cis:
                by_ci.setdefault(ci, []).append((start, end, change))
pairs = set()
for intervals in by_ci.values():
    intervals.sort()
    running = []
    for start, end, change in intervals:
        running = [r for r in running if r[0] > start]
        for _, other in running:
            if other != change:
                pairs.add((min(change, other), max(change, other)))
        running.append((end, change))
print(len(pairs))
"""
SAME_CI_POLICY = """apiVersion: csi-rules/v1
kind: ConflictPolicy
metadata: {name: same-ci, owner: bench}
spec:
  sameCi: {severity: blocking}
"""


def cli_vs_bare(reps: int) -> None:
    """`csi-rules conflicts` on the table against the bare load-and-sweep script."""
    cli = str(REPO / ".venv" / "bin" / "csi-rules")
    walls: dict[str, list[float]] = {"cli": [], "bare": []}
    cpus: dict[str, list[float]] = {"cli": [], "bare": []}
    counts = set()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "same-ci.yaml").write_text(SAME_CI_POLICY)
        for _ in range(reps):
            wall, cpu, out = timed_child([cli, "conflicts", "--policies", tmp, "--changes", str(TABLE),
                                     "--mapping", str(MAPPING), "--format", "json"])
            walls["cli"].append(wall)
            cpus["cli"].append(cpu)
            counts.add(("cli", json.loads(out)["summary"]["conflicts"]))
            wall, cpu, out = timed_child([sys.executable, "-c", BARE_SWEEP, str(TABLE)])
            walls["bare"].append(wall)
            cpus["bare"].append(cpu)
            counts.add(("bare", int(out)))
    med = {k: (statistics.median(walls[k]), statistics.median(cpus[k])) for k in walls}
    found = dict(counts)
    same = len(counts) == 2 and found["cli"] == found["bare"]
    print(f"csi-rules conflicts (sameCi) vs bare load-and-sweep, {reps} reps interleaved, "
          f"medians; conflicting pairs: {found.get('cli')} vs {found.get('bare')} "
          f"({'same' if same else 'DIFFERENT'})")
    print(table(["run", "wall s", "cpu s"], [
        ["csi-rules conflicts", f"{med['cli'][0]:.2f}", f"{med['cli'][1]:.2f}"],
        ["bare load-and-sweep", f"{med['bare'][0]:.2f}", f"{med['bare'][1]:.2f}"],
        ["ratio", f"{med['cli'][0] / med['bare'][0]:.2f}x",
         f"{med['cli'][1] / med['bare'][1]:.2f}x"]]))
    print()


def synthetic_cmdb(changes: list[Record]) -> RelationshipGraph:
    """Two seeded random edges per CI: a stand-in for a CMDB the data set does not have."""
    cis = sorted({ci for c in changes for ci in c.data.get("configuration_items") or ()})
    rnd = random.Random(SEED)
    return RelationshipGraph(Relationship(ci, rnd.choice(("depends_on", "runs_on")),
                                          rnd.choice(cis)) for ci in cis for _ in range(2))


def only(settings: ConflictSettings, check: str) -> ConflictSettings:
    """The settings with every check but `check` switched off."""
    off = {name: None for name in FIELD_OF_CHECK.values()}
    field = FIELD_OF_CHECK[check]
    return replace(settings, **{**off, field: getattr(settings, field)})


def timed(call: Callable[[], Any], runs: int) -> tuple[dict[str, float], Any]:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        result = None  # let the previous report go before the next run, so peaks do not stack
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus),
            "wall_min_s": min(walls)}, result


def phase(name: str, runs: int, checks: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    loaded = load_changes(TABLE, MAPPING)
    graph = synthetic_cmdb(loaded.changes)
    settings = settings_from_spec(SPEC, "bench")
    out: dict[str, Any] = {"load_s": time.perf_counter() - started,
                           "rows": loaded.rows_read, "changes": len(loaded.changes),
                           "skipped": len(loaded.skipped), "cmdb_edges": len(graph)}
    if name == "engine":
        for check in checks:
            times, report = timed(partial(run_conflicts, loaded.changes, only(settings, check),
                                          graph), runs)
            out[check] = {**times, "conflicts": len(report.conflicts)}
            report = None
        no_graph = replace(settings, related_ci=None)
        times, report = timed(partial(run_conflicts, loaded.changes, no_graph, graph), runs)
        out["all but relatedCi"] = {**times, "conflicts": len(report.conflicts)}
        report = None
        times, report = timed(partial(run_conflicts, loaded.changes, settings, graph), runs)
        out["all"] = {**times, "conflicts": len(report.conflicts),
                      "checked": report.changes_checked, "unchecked": len(report.unchecked)}
    elif name == "baseline":
        for check in checks:
            engine = run_conflicts(loaded.changes, only(settings, check), graph)
            times, report = timed(partial(reference_conflicts, loaded.changes,
                                          only(settings, check), graph), 1)
            out[check] = {**times, "conflicts": len(report.conflicts), "same": report == engine}
    out["peak_rss_kib"] = peak_rss_kib()
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.conflicts")
    parser.add_argument("--runs", type=int, default=5, help="engine repetitions (median)")
    parser.add_argument("--baseline", choices=["all", "sameCi", "none"], default="all",
                        help="which checks get the all-pairs baseline (all: about a minute)")
    parser.add_argument("--cli-reps", type=int, default=3,
                        help="repetitions of csi-rules conflicts vs the bare script")
    parser.add_argument("--cli-only", action="store_true",
                        help="only csi-rules conflicts vs the bare script")
    parser.add_argument("--phase", choices=["data", "engine", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--checks", default=",".join(FIELD_OF_CHECK), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        print(json.dumps(phase(args.phase, args.runs, args.checks.split(","))))
        return 0
    if not TABLE.is_file():
        print(f"missing {TABLE}", file=sys.stderr)
        return 2
    cli_vs_bare(args.cli_reps)
    if args.cli_only:
        return 0
    checks = list(FIELD_OF_CHECK)
    base_checks = [] if args.baseline == "none" else checks if args.baseline == "all" \
        else ["sameCi"]
    data = run_child("bench.conflicts", ["--phase", "data"])
    engine = run_child("bench.conflicts", ["--phase", "engine", "--runs", str(args.runs)])
    base = run_child("bench.conflicts", ["--phase", "baseline", "--checks", ",".join(base_checks)]) \
        if base_checks else {}
    for result in (data, engine, base):
        if "error" in result:
            print(f"child failed: {result['error']}", file=sys.stderr)
            return 1
    print(f"Rabobank detail_change: {data['rows']:,} rows -> {data['changes']:,} changes "
          f"({engine['all']['checked']:,} with a usable planned window, "
          f"{engine['all']['unchecked']:,} reported as unchecked); {data['skipped']} rows "
          f"skipped; load {data['load_s']:.1f} s (not counted). Synthetic CMDB: "
          f"{data['cmdb_edges']:,} edges.")
    rows = []
    for check in [*checks, "all but relatedCi", "all"]:
        e = engine[check]
        b = base.get(check)
        rows.append([check, f"{e['conflicts']:,}", _ms(e["wall_s"]), _ms(e["cpu_s"]),
                     _ms(b["wall_s"]) if b else "-", _ms(b["cpu_s"]) if b else "-",
                     f"{b['cpu_s'] / e['cpu_s']:,.0f}x" if b else "-",
                     ("yes" if b["same"] else "NO") if b else "-"])
    if base_checks == checks:
        for row, name in ((rows[-2], "all but relatedCi"), (rows[-1], "all")):
            parts = [c for c in checks if name == "all" or c != "relatedCi"]
            wall, cpu = (sum(base[c][k] for c in parts) for k in ("wall_s", "cpu_s"))
            row[4:8] = [_ms(wall) + " (sum)", _ms(cpu) + " (sum)",
                        f"{cpu / engine[name]['cpu_s']:,.0f}x",
                        "yes" if all(base[c]["same"] for c in parts) else "NO"]
    print(f"\nEngine: median of {args.runs} runs, each check alone, then all together; "
          f"all-pairs: one run per check. Ratio = all-pairs CPU / engine CPU.")
    print(table(["check", "conflicts", "engine ms", "engine cpu ms", "all-pairs ms",
                 "all-pairs cpu ms", "ratio", "same report"], rows))
    mib = 1024
    print(f"\nPeak RSS (ru_maxrss of a fresh process per phase): data only "
          f"{data['peak_rss_kib'] / mib:.0f} MiB; engine {engine['peak_rss_kib'] / mib:.0f} MiB "
          f"(+{(engine['peak_rss_kib'] - data['peak_rss_kib']) / mib:.0f} MiB over the data)"
          + (f"; all-pairs {base['peak_rss_kib'] / mib:.0f} MiB" if base else "") + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
