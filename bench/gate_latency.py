"""Gate latency (issue 11): one change against a schedule of 30,000 changes, as a ratio to the
bare sweep over the same schedule, measured in the same run.

    .venv/bin/python -m bench gate-latency [--reps 5] [--changes 30000] [--picks 3]

The schedule is the Rabobank change table (../shared/data/bpi2014_rabobank_itsm, read once
through policies/mappings/rabobank-changes.yaml: 30,275 rows -> 18,000 changes) written as JSON
lines, the file a pipeline passes to `--schedule`; to reach --changes, the table's changes are
repeated with ids `ID~2`, `ID~3`, ... and their windows shifted by whole multiples of four
years, so copies never overlap the originals. The changes under test are --picks seeded picks
among the normal changes with CIs and a planned window; each is the schedule's own record (the
gate takes it out of the schedule, as a pipeline's change is there too), `--now` its planned
start. Policies: policies/ as shipped (release-gate's no_conflicts, the change-schedule-conflicts
ConflictPolicy: sameCi blocking ignoring standard changes, capacity advisory).

Three pairs, each gate figure over its bare figure, reps interleaved, medians (wall time; for
the fresh processes also their CPU time, getrusage of the children, steadier on a shared
machine):

  cli        `csi-rules gate --policies policies --change CR.json --schedule planned.jsonl
             --now T --format json` in a fresh process, against `python -c BARE` in a fresh
             process: json-load every schedule line, keep the lines sharing a CI with the
             change, parse their windows, keep those overlapping it (a minimal scan: with one
             change against n, the interval sweep is one pass). Also shown: the same gate
             without --schedule (fixed cost of start-up, imports and policy loading).
  in-process schedule_conflicts (reads and validates the file) + evaluate_gate, policies
             loaded once, against the bare scan of the same file in the same process.
  loaded     conflicts_with + evaluate_gate on schedule records already in memory, against
             the bare scan over the same records (the check alone, no reading).

Both sides must name the same changes: the bench checks that the gate's sameCi conflicts
equal the bare scan's hits among non-standard, non-finished changes.

Measured 2026-12-04 (`python -m bench gate-latency --reps 3`, 2 cores at load 5-9 from other
agents, 30,000 changes, 3 changes under test, all agreeing with the bare scan):

  path                         before   after   (gate / bare, medians)
  in-process, records loaded   23.6x    1.75x, 1.89x   target <= 2x: met
  in-process, from the file    13.8x    9.3x, 11.3x    not met
  cli (fresh process)          13.2x    11.0x, 11.8x wall; 11.2x CPU   not met
  cli without --schedule       2.4x     2.3x, 2.2x wall; 2.5x CPU (start-up, imports, policies)

The check itself: the gate used to run the whole conflict search over all 30,000 changes and
keep what named the change; change/schedule.py's schedule_near now keeps, in one pass, only
the changes that can meet it (same findings; tests/change/test_gate_schedule_narrowing.py).
What remains is reading the file: load_changes of the 30,000 lines costs 4.8 s CPU against
0.8 s for json.loads alone: safe_json.loads 1.85 s (the parse plus its limits walk) and
parse_record 2.05 s, most of it the compiled record-schema check, whose per-kind `if`/`then`
rules fail (and raise inside fastjsonschema) three times for every change record. Both live
outside this benchmark's reach (csi_rules/safe_json.py, csi_rules/records).
21:00, after a per-kind record check (records/model.py compiles one check per kind) and a
safe_json fast path at json.loads speed (same values and errors, property-tested against the
careful path): loading the schedule 3.24 -> 1.98 s CPU; cli 10.8x -> 7.7x CPU (8.3x wall),
in-process from the file 10.5x -> 8.5x, loaded 1.5x (met). Still not met on the file paths:
~77 us per record against the bare scan's ~15 us, the compiled record check ~16 us of it
(its four date-time format regexes dominate).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import median, table, timed_child

REPO = Path(__file__).resolve().parents[1]
TABLE = REPO.parent / "shared" / "data" / "bpi2014_rabobank_itsm" / "detail_change.zip"
MAPPING = REPO / "policies" / "mappings" / "rabobank-changes.yaml"
POLICIES = REPO / "policies"
CLI = str(REPO / ".venv" / "bin" / "csi-rules")
SEED = 11
SHIFT = timedelta(days=4 * 365 + 1)  # four years: a copy never overlaps its original

# The bare scan, as a user would write it: one change against a JSON-lines schedule.
BARE = r"""
import json, sys
from datetime import datetime
change = json.load(open(sys.argv[1]))
cis = set(change["configuration_items"])
start = datetime.fromisoformat(change["planned_start"])
end = datetime.fromisoformat(change["planned_end"])
hits = []
with open(sys.argv[2]) as schedule:
    for line in schedule:
        other = json.loads(line)
        if other["id"] == change["id"] or other.get("change_type") == "standard":
            continue
        if not cis.intersection(other.get("configuration_items") or ()):
            continue
        s, e = other.get("planned_start"), other.get("planned_end")
        if s and e and datetime.fromisoformat(s) < end and start < datetime.fromisoformat(e):
            hits.append(other["id"])
print(json.dumps(sorted(hits)))
"""


def bare_scan_lines(change: dict[str, Any], lines: Any) -> list[str]:
    """BARE's loop in-process (over an open file or a list of JSON objects)."""
    cis = set(change["configuration_items"])
    start = datetime.fromisoformat(change["planned_start"])
    end = datetime.fromisoformat(change["planned_end"])
    hits = []
    for line in lines:
        other = json.loads(line) if isinstance(line, str) else line
        if other["id"] == change["id"] or other.get("change_type") == "standard":
            continue
        if not cis.intersection(other.get("configuration_items") or ()):
            continue
        s, e = other.get("planned_start"), other.get("planned_end")
        if s and e and datetime.fromisoformat(s) < end and start < datetime.fromisoformat(e):
            hits.append(other["id"])
    return sorted(hits)


def bare_scan_records(change: Any, records: list[Any]) -> list[str]:
    """The bare scan over records already in memory (typed date-times)."""
    cis = set(change.data["configuration_items"])
    start, end = change.data["planned_start"], change.data["planned_end"]
    hits = []
    for other in records:
        data = other.data
        if data["id"] == change.id or data.get("change_type") == "standard":
            continue
        if not cis.intersection(data.get("configuration_items") or ()):
            continue
        s, e = data.get("planned_start"), data.get("planned_end")
        if s is not None and e is not None and s < end and start < e:
            hits.append(data["id"])
    return sorted(hits)


def _shifted(obj: dict[str, Any], copy: int) -> dict[str, Any]:
    out = dict(obj, id=f"{obj['id']}~{copy}", number=f"{obj['number']}~{copy}")
    for name in ("planned_start", "planned_end", "opened_at", "closed_at"):
        if out.get(name):
            out[name] = (datetime.fromisoformat(out[name]) + SHIFT * (copy - 1)).isoformat()
    windows = (out.get("raw") or {}).get("planned_windows")
    if windows:
        out["raw"] = dict(out["raw"], planned_windows=[
            dict(w, start=(datetime.fromisoformat(w["start"]) + SHIFT * (copy - 1)).isoformat(),
                 end=(datetime.fromisoformat(w["end"]) + SHIFT * (copy - 1)).isoformat())
            for w in windows])
    return out


def write_schedule(folder: Path, size: int) -> tuple[Path, list[dict[str, Any]]]:
    """The table as JSON lines, repeated (shifted) up to `size` changes; the objects too."""
    from csi_rules.conflicts import load_changes

    base = [r.to_json() for r in load_changes(TABLE, MAPPING).changes]
    objs = []
    for i in range(size):
        copy, at = divmod(i, len(base))
        objs.append(base[at] if copy == 0 else _shifted(base[at], copy + 1))
    path = folder / "planned.jsonl"
    with path.open("w") as out:
        for obj in objs:
            out.write(json.dumps(obj) + "\n")
    return path, objs


def pick_changes(objs: list[dict[str, Any]], picks: int) -> list[dict[str, Any]]:
    """Seeded picks among normal changes with CIs and a window that share a CI with another."""
    count: dict[str, int] = {}
    for obj in objs:
        for ci in obj.get("configuration_items") or ():
            count[ci] = count.get(ci, 0) + 1
    eligible = [o for o in objs if "~" not in o["id"] and o.get("change_type") == "normal"
                and o.get("planned_start")
                and o.get("planned_end") and o["planned_start"] < o["planned_end"]
                and any(count[ci] > 1 for ci in o.get("configuration_items") or ())]
    return random.Random(SEED).sample(eligible, picks)


def _run(argv: list[str], cpus: list[float]) -> tuple[float, str]:
    """Wall time and output of a child; its CPU time goes to `cpus`."""
    wall, cpu, out = timed_child(argv)
    cpus.append(cpu)
    return wall, out


def same_ci_ids(result: Any, change_id: str) -> list[str]:
    """Ids of the other changes in the gate's sameCi conflicts."""
    return sorted({ref.id for c in result for ref in getattr(c, "changes", ())
                   if getattr(c, "check", "") == "sameCi" and ref.id != change_id})


def measure(reps: int, size: int, picks: int) -> int:
    from csi_rules.change.gate import evaluate_gate
    from csi_rules.change.schedule import conflicts_with, schedule_conflicts
    from csi_rules.conflicts import load_changes
    from csi_rules.plugins import load_plugins
    from csi_rules.policy.validate import load_policy_set
    from csi_rules.records import parse_record

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        schedule, objs = write_schedule(folder, size)
        chosen = pick_changes(objs, picks)
        policy_set = load_policy_set([str(POLICIES)], load_plugins(entry_points=False))
        records = load_changes(schedule).changes
        print(f"schedule: {len(objs):,} changes ({schedule.stat().st_size / 1e6:.1f} MB JSON "
              f"lines); changes under test: {', '.join(c['id'] for c in chosen)}; "
              f"{reps} reps, interleaved, medians")
        times: dict[str, list[float]] = {k: [] for k in (
            "cli", "cli bare", "cli no schedule", "in-process", "in-process bare", "loaded",
            "loaded bare")}
        cpus: dict[str, list[float]] = {k: [] for k in ("cli", "cli bare", "cli no schedule")}
        verdicts = []
        for rep in range(reps):
            for n, obj in enumerate(chosen):
                change_file = folder / f"change{n}.json"
                change_file.write_text(json.dumps(obj))
                change = parse_record(obj)
                now = change.data["planned_start"]
                gate_argv = [CLI, "gate", "--policies", str(POLICIES), "--change",
                             str(change_file), "--now", now.isoformat(), "--format", "json"]
                wall, out = _run([*gate_argv, "--schedule", str(schedule)], cpus["cli"])
                times["cli"].append(wall)
                wall, bare_out = _run([sys.executable, "-c", BARE, str(change_file),
                                       str(schedule)], cpus["cli bare"])
                times["cli bare"].append(wall)
                wall, _ = _run(gate_argv, cpus["cli no schedule"])
                times["cli no schedule"].append(wall)

                started = time.perf_counter()
                found = schedule_conflicts(policy_set, change, str(schedule), None)
                evaluate_gate(policy_set, change, now, found)
                times["in-process"].append(time.perf_counter() - started)
                started = time.perf_counter()
                with schedule.open() as lines:
                    hits = bare_scan_lines(obj, lines)
                times["in-process bare"].append(time.perf_counter() - started)

                started = time.perf_counter()
                loaded = conflicts_with(policy_set, change, records)
                evaluate_gate(policy_set, change, now, loaded)
                times["loaded"].append(time.perf_counter() - started)
                started = time.perf_counter()
                loaded_hits = bare_scan_records(change, records)
                times["loaded bare"].append(time.perf_counter() - started)

                if rep == 0:
                    gate_ids = same_ci_ids(found, change.id)
                    agree = gate_ids == hits == loaded_hits == json.loads(bare_out) \
                        == same_ci_ids(loaded, change.id)
                    verdicts.append((obj["id"], json.loads(out)["verdict"], len(hits), agree))
    for change_id, verdict, hits, agree in verdicts:
        print(f"  {change_id}: verdict {verdict}, {hits} same-CI overlaps, "
              f"gate and bare scan name the same changes: {'yes' if agree else 'NO'}")
    m = {k: median(v) for k, v in times.items()}
    c = {k: median(v) for k, v in cpus.items()}
    rows = [
        ["cli (fresh process)", f"{m['cli']:.3f}", f"{m['cli bare']:.3f}",
         f"{m['cli'] / m['cli bare']:.2f}x"],
        ["cli, CPU of the child", f"{c['cli']:.3f}", f"{c['cli bare']:.3f}",
         f"{c['cli'] / c['cli bare']:.2f}x"],
        ["cli without --schedule", f"{m['cli no schedule']:.3f}", f"{m['cli bare']:.3f}",
         f"{m['cli no schedule'] / m['cli bare']:.2f}x"],
        ["cli without --schedule, CPU", f"{c['cli no schedule']:.3f}", f"{c['cli bare']:.3f}",
         f"{c['cli no schedule'] / c['cli bare']:.2f}x"],
        ["in-process, from the file", f"{m['in-process']:.3f}", f"{m['in-process bare']:.3f}",
         f"{m['in-process'] / m['in-process bare']:.2f}x"],
        ["in-process, records loaded", f"{m['loaded']:.4f}", f"{m['loaded bare']:.4f}",
         f"{m['loaded'] / m['loaded bare']:.2f}x"],
    ]
    print(table(["path", "gate s", "bare s", "gate / bare"], rows))
    return 0 if all(v[3] for v in verdicts) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench gate-latency")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per change (median)")
    parser.add_argument("--changes", type=int, default=30_000, help="schedule size")
    parser.add_argument("--picks", type=int, default=3, help="changes under test")
    args = parser.parse_args(argv)
    if not TABLE.is_file():
        print(f"missing {TABLE}", file=sys.stderr)
        return 2
    return measure(args.reps, args.changes, args.picks)


if __name__ == "__main__":
    sys.exit(main())
