"""Routing benchmark: incidents through routing groups of 10, 50, 200 and 1,000 rules.

Engines: the plain-Python reference evaluator, csi-rules' CompiledMatcher (the default
engine), its DurableMatcher inline and with process isolation, and zen-engine (a JDM decision table through
`ZenEngine(loader).evaluate(key, ctx)`, hitPolicy "first" with a default row) when it is
installed (`pip install -e '.[bench]'`). The same rules are also run with hit policy
"collect" (every matching rule; zen: hitPolicy "collect"), where durable asserts facts.
Rules: `priority == P and category == C and reassignment_count >= K -> rule`, with the
unmatched records falling through to a default. Each (engine, rule count) runs in a fresh
process (`python -m bench.routing --child ...`); every engine's decisions must be identical
to the reference's (compared by digest). Ratios are against zen-engine measured in the same
run (against the reference when zen is not installed). At 1,000 rules the reference and
durable are left out (minutes per run); the compiled matcher's answers are then checked
against zen's.

Single decisions (issue 14's "p99 per single decision (with reasons) < 50 µs in-process"), for
the compiled matcher on the first records, one call at a time, each timed by the wall clock and
by this thread's CPU clock (the difference is time the scheduler gave other processes):
"match" is `match` alone; "decision" is `match_explained`, the matched keys each with its
reasons (built when read, holding the values the decision saw); "read" is that plus reading
every reason, the first time; "read again" the same records once more (the `Reason`s of
repeated values kept); "evaluate" is `Evaluator.evaluate`, what users call, on the same rows
as a RoutingPolicy with a default (checked to decide exactly what `match` matched): its
`Decision`s, each with its reasons made on first read; "evaluate, read" that plus reading
every decision's reasons. Each call's result is dropped inside its timing.
`--gc freeze` freezes the heap after the build (`gc.freeze()`) to tell collector pauses from
the code's own time.

Memory (issue 14's "peak RSS <= 1.3x the data alone"): "data" is the RSS once the records are
loaded as `Record`s, before any engine is imported; "streamed" the peak after a pass over
every record in batches of 1,000 whose results are dropped as they are read (what a streaming
consumer such as `csi-rules evaluate` or the runner keeps: the target's measure); "all kept"
the peak after the timed pass, which keeps the list of all 100,000 results as each engine
gives them, for the digest (the compiled matcher gives records that match alike one shared,
unchangeable result; zen's answers are turned into a dict and a list each). Both are
reported; the one-call-at-a-time part comes after both.

Latest (2026-12-05, 01:27-01:31 UTC, load average 2.1-2.5; records that match alike share
one result, reasons made per decision's values by matcher; "before" is the tree before that
work, run between them): `--only collect:1000` (100,000 incidents, 3 runs, 2,000 timed), two
runs: evaluate p50 9.2 / p99 23.6-24.7 µs CPU (before 20.5), evaluate + every reason read
p99 38.7-38.8 (before 114.5), read again 32.6-36.5 (43.3), all kept 1.09x the data (1.53x;
zen 2.36x), streamed 1.08x (1.10x), compiled 11-12x zen's records/s (8x). `--only
first:1000`: evaluate p99 9.7 (9.4), evaluate + read 15.7 (19.6), all kept 1.08x (1.43x; zen
1.61x), streamed 1.07x, 10x zen (5x). `--quick`, all eight configurations in one run (500
timed: the 5th slowest): evaluate + every reason read p99 16.5-25.7 µs CPU up to 200 rules,
20.5 at first/1,000, 46.1 at collect/1,000 (before, 01:20 UTC: 17.3-39.1, 26.0, 131.6);
evaluate 7.6-29.8; all kept 1.09-1.22x (before 1.25-1.40x; zen 1.56-1.99x), streamed
1.09-1.22x (zen 1.40-1.48x; at 20,000 records the 1,000-rule matcher's ~5 MiB weighs more);
compiled 8x-11x zen's records/s.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import random
import sys
import time
from typing import Any

from bench.harness import latencies_us, median, peak_rss_kib, percentile, run_child, table

CATEGORIES = ["network", "database", "hardware", "software", "access", "email", "storage",
              "security", "printing", "telephony"]
STATES = ["new", "in_progress", "on_hold"]
RULE_COUNTS = (10, 50, 200, 1000)
ENGINES = ("reference", "compiled", "durable-inline", "durable-process", "zen")
SLOW_ENGINES = ("reference", "durable-inline", "durable-process")
SLOW_LIMIT = 200  # rules: beyond this the slow engines are not run
STREAM_BATCH = 1_000  # records per batch in the streaming pass


def incidents(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{
        "id": f"{rng.getrandbits(128):032x}",
        "kind": "incident",
        "number": f"INC{n:07d}",
        "priority": rng.randint(1, 5),
        "category": rng.choice(CATEGORIES),
        "reassignment_count": min(12, int(rng.expovariate(0.35))),
        "state": rng.choice(STATES),
        "short_description": f"incident {n}",
    } for n in range(count)]


def rule_rows(count: int, seed: int = 42) -> list[tuple[int, str, int]]:
    rng = random.Random(seed)
    return [(rng.randint(1, 5), rng.choice(CATEGORIES), rng.randint(0, 6)) for _ in range(count)]


def routing_group(rows: list[tuple[int, str, int]], policy: str = "first") -> Any:
    from csi_rules.conditions.ast import AllOf, Matcher
    from csi_rules.engine.groups import RuleGroup, RuleSpec

    specs = tuple(RuleSpec(f"r{i}", AllOf((Matcher("priority", "eq", p),
                                          Matcher("category", "eq", c),
                                          Matcher("reassignment_count", "gte", k))))
                  for i, (p, c, k) in enumerate(rows))
    return RuleGroup("route", policy, frozenset({"incident"}), specs)  # type: ignore[arg-type]


def zen_content(rows: list[tuple[int, str, int]], policy: str = "first") -> dict[str, Any]:
    inputs = [{"id": "in_p", "type": "expression", "field": "priority", "name": "priority"},
              {"id": "in_c", "type": "expression", "field": "category", "name": "category"},
              {"id": "in_r", "type": "expression", "field": "reassignment_count",
               "name": "reassignment_count"}]
    outputs = [{"id": "out", "type": "expression", "field": "rule", "name": "rule"}]
    table_rows = [{"_id": f"r{i}", "in_p": str(p), "in_c": json.dumps(c), "in_r": f">= {k}",
                   "out": json.dumps(f"r{i}")} for i, (p, c, k) in enumerate(rows)]
    if policy == "first":
        table_rows.append({"_id": "default", "in_p": "", "in_c": "", "in_r": "", "out": '""'})
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {"id": "route", "type": "decisionTableNode", "name": "Route",
             "position": {"x": 200, "y": 0},
             "content": {"hitPolicy": policy, "inputs": inputs, "outputs": outputs,
                         "rules": table_rows}},
            {"id": "response", "type": "outputNode", "name": "Response",
             "position": {"x": 400, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "request", "targetId": "route", "type": "edge"},
                  {"id": "e2", "sourceId": "route", "targetId": "response", "type": "edge"}],
    }


def _engine(name: str, rows: list[tuple[int, str, int]], policy: str) -> tuple[Any, Any, Any]:
    """(match_many(records), match_one(record), close) for one engine."""
    from csi_rules.engine.testing import NOW

    if name == "zen":
        import zen

        # the static loader: a Python callback loader is re-entered on every evaluate (25x slower)
        loader = {"type": "static", "content": {"route": zen_content(rows, policy)}}
        engine = zen.ZenEngine({"loader": loader})

        def one(record: Any) -> dict[str, list[str]]:
            result = engine.evaluate("route", record.data)["result"]
            if policy == "collect":
                return {"route": [row["rule"] for row in result]}
            return {"route": [result["rule"]] if result.get("rule") else []}

        return (lambda records: [one(r) for r in records]), one, (lambda: None)
    group = routing_group(rows, policy)
    if name == "reference":
        from csi_rules.engine.reference import ReferenceMatcher

        m: Any = ReferenceMatcher([group])
    elif name == "compiled":
        from csi_rules.engine.compiled import CompiledMatcher

        m = CompiledMatcher([group])
    else:
        from csi_rules.engine.matcher import DurableMatcher

        m = DurableMatcher([group], isolation=name.split("-")[1])
    return (lambda records: m.match_many(records, NOW)), (lambda r: m.match(r, NOW)), m.close


def worker_hwm_kib(close: Any) -> int:
    """Peak RSS of a DurableMatcher's worker process (VmHWM; 0 when there is none)."""
    matcher = getattr(close, "__self__", None)
    pid = getattr(matcher, "worker_pid", None)
    if not pid:
        return 0
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def child(engine: str, rules: int, records: int, latency_sample: int,
          policy: str, gc_mode: str = "on") -> dict[str, Any]:
    """Measure one configuration in this (fresh) process."""
    from csi_rules.records.model import Record

    data = [Record(d) for d in incidents(records)]
    rss_data = peak_rss_kib()
    rows = rule_rows(rules)
    start = time.perf_counter()
    many, one, close = _engine(engine, rows, policy)
    build = time.perf_counter() - start
    streamed = hashlib.sha256()  # a streaming consumer: batches, each result dropped when read
    for i in range(0, records, STREAM_BATCH):
        streamed.update(json.dumps(many(data[i:i + STREAM_BATCH])).encode())
    rss_stream = peak_rss_kib()
    start = time.perf_counter()
    results = many(data)  # the timed pass keeps every result
    seconds = time.perf_counter() - start
    rss_peak = peak_rss_kib()
    if streamed.hexdigest() != _batched_digest(results):
        raise SystemExit(f"{engine}: the streamed answers differ from the kept ones")
    if gc_mode == "freeze":
        gc.freeze()
    lat = latencies_us(one, data[:latency_sample])
    single = _single_decisions(close.__self__, data[:latency_sample], rows, policy) \
        if engine == "compiled" else {}
    worker = worker_hwm_kib(close)
    close()
    return {
        "engine": engine, "rules": rules, "records": records, "build_s": build,
        "seconds": seconds, "records_per_s": records / seconds,
        "p50_us": percentile(lat, 50), "p99_us": percentile(lat, 99), **single,
        "rss_data_kib": rss_data, "rss_stream_kib": rss_stream, "rss_peak_kib": rss_peak,
        "worker_rss_kib": worker,
        "digest": hashlib.sha256(json.dumps(results).encode()).hexdigest(),
        "matched_share": sum(bool(r["route"]) for r in results) / records,
        "matches_per_record": sum(len(r["route"]) for r in results) / records,
        "max_matches": max(len(r["route"]) for r in results),
    }


def _batched_digest(results: list[Any]) -> str:
    digest = hashlib.sha256()
    for i in range(0, len(results), STREAM_BATCH):
        digest.update(json.dumps(results[i:i + STREAM_BATCH]).encode())
    return digest.hexdigest()


def routing_policy(rows: list[tuple[int, str, int]], policy: str = "first") -> Any:
    """The same rules as a RoutingPolicy with a default (what `Evaluator` users load), built
    like `routing_group` without validation's reachability check (under first it refuses rows
    that an earlier row covers; the engines are given them all)."""
    from csi_rules.plugins import load_plugins
    from csi_rules.policy.loader import load_text
    from csi_rules.policy.model import PolicySet

    rules = [{"id": f"r{i}", "when": {"all": [
        {"field": "priority", "eq": p}, {"field": "category", "eq": c},
        {"field": "reassignment_count", "gte": k}]}, "actions": [{"assign": {"group": f"g{i}"}}]}
        for i, (p, c, k) in enumerate(rows)]
    doc = {"apiVersion": "csi-rules/v1", "kind": "RoutingPolicy", "metadata": {"name": "route"},
           "spec": {"appliesTo": ["incident"], "hitPolicy": policy, "rules": rules,
                    "default": {"actions": [{"assign": {"group": "desk"}}]}}}
    docs, findings = load_text(json.dumps(doc), "bench-routing.yaml")
    if findings:
        raise SystemExit(f"bench routing policy: {findings[0]}")
    kind = load_plugins(entry_points=False).kinds.get("RoutingPolicy")
    return PolicySet([kind.build(docs[0])])


def _single_decisions(matcher: Any, sample: list[Any], rows: list[tuple[int, str, int]],
                      policy: str) -> dict[str, float]:
    """p50/p99 in µs, wall and CPU, of one compiled match / decision / decision read, and of
    `Evaluator.evaluate` on the same rules as a RoutingPolicy, with and without its reasons read."""
    from csi_rules.engine.testing import NOW
    from csi_rules.evaluation import Evaluator

    def read(record: Any) -> None:
        for pairs in matcher.match_explained(record, NOW).values():
            for _, reasons in pairs:
                tuple(reasons)

    evaluator = Evaluator(routing_policy(rows, policy))
    for record in sample:  # the evaluator decides what the engine matched, or the default
        decided = [d.rule_id for d in evaluator.evaluate(record, NOW)]
        if decided != (matcher.match(record, NOW)["route"] or [None]):
            raise SystemExit(f"evaluate disagrees with match on {record.label}: {decided}")

    def evaluate_read(record: Any) -> None:
        for decision in evaluator.evaluate(record, NOW):
            tuple(decision.reasons)

    calls = {"match": lambda r: matcher.match(r, NOW),
             "decision": lambda r: matcher.match_explained(r, NOW), "read": read,
             "read again": read, "evaluate": lambda r: evaluator.evaluate(r, NOW),
             "evaluate, read": evaluate_read}
    out: dict[str, float] = {}
    for name, call in calls.items():
        wall, cpu = [], []
        for record in sample:
            start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
            call(record)
            cpu.append((time.thread_time_ns() - start_cpu) / 1000)
            wall.append((time.perf_counter_ns() - start) / 1000)
        for q in (50, 99):
            out[f"{name}_p{q}_us"] = percentile(wall, q)
            out[f"{name}_cpu_p{q}_us"] = percentile(cpu, q)
    evaluator.close()
    return out


def zen_available() -> bool:
    try:
        import zen  # noqa: F401
    except ImportError:
        return False
    return True


CONFIGS = [(policy, n) for policy in ("first", "collect") for n in RULE_COUNTS]


def run(quick: bool, reps: int | None = None, gc_mode: str = "on",
        only: str | None = None) -> int:
    records = 20_000 if quick else 100_000
    reps = reps or (1 if quick else 3)
    sample = 500 if quick else 2_000
    engines = [e for e in ENGINES if e != "zen" or zen_available()]
    if "zen" not in engines:
        print("zen-engine is not installed: skipping it (pip install -e '.[bench]')")
    print(f"routing: {records:,} incidents; {reps} repetition(s), median reported; latency = "
          f"single match() calls on {sample:,} records; memory = ru_maxrss, fresh process per "
          f"configuration; gc {gc_mode}\n")
    configs = [(p, n) for p, n in CONFIGS
               if not only or f"{p}:{n}" == only or p == only]
    results: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for rep in range(reps):
        for policy, rules in configs:
            order = engines[rep % len(engines):] + engines[:rep % len(engines)]
            for engine in order:
                if engine in SLOW_ENGINES and rules > SLOW_LIMIT:
                    continue
                args = ["--child", engine, "--policy", policy, "--rules", str(rules),
                        "--records", str(records), "--sample", str(sample), "--gc", gc_mode]
                results.setdefault((engine, policy, rules), []).append(
                    run_child("bench.routing", args))
    failed = False
    for policy, rules in configs:
        failed |= _report(results, engines, policy, rules, records)
    base = "zen" if "zen" in engines else "reference"
    print(f"time vs {base}: engine time / {base} time in this run (>1 = slower). Memory, "
          "peak RSS over the RSS of the records as loaded (data): streamed = after a pass in "
          f"batches of {STREAM_BATCH:,} whose results are dropped (what a streaming consumer "
          "such as `evaluate` keeps); all kept = after the timed pass that keeps every "
          "result.\n")
    if configs == CONFIGS:
        _curve(results)
    return 1 if failed else 0


def _curve(results: dict[tuple[str, str, int], list[dict[str, Any]]]) -> None:
    """Compiled throughput against rule count: the cost of 10x more rules."""
    import math

    for policy in ("first", "collect"):
        points = [(n, median([r["records_per_s"] for r in results.get(("compiled", policy, n), [])
                              if "records_per_s" in r])) for n in RULE_COUNTS]
        first = points[0][1]
        line = ", ".join(f"{n}: {rps:,.0f}/s ({first / rps:.2f}x slower; log2(n/10)="
                         f"{math.log2(n / RULE_COUNTS[0]):.1f})" for n, rps in points)
        print(f"compiled {policy}, records/s by rule count: {line}")


def _report(results: dict[tuple[str, str, int], list[dict[str, Any]]], engines: list[str],
            policy: str, rules: int, records: int) -> bool:
    """Print one table; True when some engine failed or disagreed with the reference."""
    present = [e for e in engines if results.get((e, policy, rules))]
    oracle = "reference" if "reference" in present else "zen"
    baseline = "zen" if "zen" in present else "reference"
    base_runs = [r for r in results[(baseline, policy, rules)] if "seconds" in r]
    truth_runs = [r for r in results[(oracle, policy, rules)] if "seconds" in r]
    if not base_runs or not truth_runs:
        print(f"{policy} {rules} rules: the {baseline} or {oracle} run failed")
        return True
    base = median([r["seconds"] for r in base_runs])
    truth = {r["digest"] for r in truth_runs}
    failed = False
    rows = []
    for engine in present:
        runs = results[(engine, policy, rules)]
        ok = [r for r in runs if "error" not in r]
        if not ok:
            rows.append([engine, "error: " + runs[0]["error"][:60], *[""] * 9])
            failed = True
            continue
        seconds = median([r["seconds"] for r in ok])
        same = len(truth) == 1 and all(r["digest"] in truth for r in ok)
        failed |= not same
        worker = median([r["worker_rss_kib"] for r in ok]) / 1024
        rows.append([
            engine,
            f"{records / seconds:,.0f}",
            f"{seconds / base:.2f}x",
            f"{median([r['p50_us'] for r in ok]):,.1f}",
            f"{median([r['p99_us'] for r in ok]):,.1f}",
            f"{median([r['rss_data_kib'] for r in ok]) / 1024:.1f}",
            f"{median([r['rss_stream_kib'] for r in ok]) / 1024:.1f}"
            + (f" (+worker {worker:.1f})" if worker else ""),
            f"{median([r['rss_stream_kib'] / r['rss_data_kib'] for r in ok]):.2f}",
            f"{median([r['rss_peak_kib'] for r in ok]) / 1024:.1f}",
            f"{median([r['rss_peak_kib'] / r['rss_data_kib'] for r in ok]):.2f}",
            "yes" if same else "NO",
        ])
    first = truth_runs[0]
    print(f"hit policy {policy}, {rules} rules ({first['matched_share']:.0%} of records matched "
          f"a rule, {first['matches_per_record']:.2f} matches per record)")
    print(table(["engine", "records/s", f"time vs {baseline}", "p50 us", "p99 us",
                 "data MiB", "streamed MiB", "/data", "all kept MiB", "/data",
                 f"same as {oracle}"], rows))
    compiled = [r for r in results.get(("compiled", policy, rules), []) if "decision_p99_us" in r]
    if compiled:
        print(f"compiled build {median([r['build_s'] for r in compiled]) * 1000:,.1f} ms "
              "(every rule's reasons maker made then); one call at a time (max "
              f"{first['max_matches']} matches per record); µs, median over runs:")
        print(table(["call", "p50 wall", "p99 wall", "p50 cpu", "p99 cpu"], [
            [name, *(f"{median([r[f'{name}_{m}'] for r in compiled]):,.1f}"
                     for m in ("p50_us", "p99_us", "cpu_p50_us", "cpu_p99_us"))]
            for name in ("match", "decision", "read", "read again", "evaluate",
                         "evaluate, read")]))
    print()
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.routing")
    parser.add_argument("--child", choices=ENGINES)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--policy", choices=["first", "collect"], default="first")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--gc", choices=["on", "freeze"], default="on",
                        help="freeze: gc.freeze() after the build, before the timed calls")
    parser.add_argument("--only", metavar="POLICY[:RULES]",
                        help="run only these configurations, e.g. collect or collect:1000")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.rules, args.records, args.sample, args.policy,
                               args.gc)))
        return 0
    return run(args.quick, gc_mode=args.gc, only=args.only)


if __name__ == "__main__":
    sys.exit(main())
