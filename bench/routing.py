"""Routing benchmark: incidents through first-match routing groups of 10, 50 and 200 rules.

Engines: the plain-Python reference evaluator (the baseline), csi-rules' DurableMatcher
inline and with process isolation, and zen-engine (a JDM decision table, hitPolicy
"first", with a default row) when it is installed (`pip install -e '.[bench]'`).
Rules: `priority == P and category == C and reassignment_count >= K -> rule`, with the
unmatched records falling through to a default. Each (engine, rule count) runs in a fresh
process (`python -m bench.routing --child ...`), which also checks every decision against
the reference.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from typing import Any

from bench.harness import latencies_us, median, peak_rss_kib, percentile, run_child, table

CATEGORIES = ["network", "database", "hardware", "software", "access", "email", "storage",
              "security", "printing", "telephony"]
STATES = ["new", "in_progress", "on_hold"]
RULE_COUNTS = (10, 50, 200)
ENGINES = ("reference", "durable-inline", "durable-process", "zen")


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


def routing_group(rows: list[tuple[int, str, int]]) -> Any:
    from csi_rules.conditions.ast import AllOf, Matcher
    from csi_rules.engine.groups import RuleGroup, RuleSpec

    specs = tuple(RuleSpec(f"r{i}", AllOf((Matcher("priority", "eq", p),
                                          Matcher("category", "eq", c),
                                          Matcher("reassignment_count", "gte", k))))
                  for i, (p, c, k) in enumerate(rows))
    return RuleGroup("route", "first", frozenset({"incident"}), specs)


def zen_content(rows: list[tuple[int, str, int]]) -> dict[str, Any]:
    inputs = [{"id": "in_p", "type": "expression", "field": "priority", "name": "priority"},
              {"id": "in_c", "type": "expression", "field": "category", "name": "category"},
              {"id": "in_r", "type": "expression", "field": "reassignment_count",
               "name": "reassignment_count"}]
    outputs = [{"id": "out", "type": "expression", "field": "rule", "name": "rule"}]
    table_rows = [{"_id": f"r{i}", "in_p": str(p), "in_c": json.dumps(c), "in_r": f">= {k}",
                   "out": json.dumps(f"r{i}")} for i, (p, c, k) in enumerate(rows)]
    table_rows.append({"_id": "default", "in_p": "", "in_c": "", "in_r": "", "out": '""'})
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {"id": "route", "type": "decisionTableNode", "name": "Route",
             "position": {"x": 200, "y": 0},
             "content": {"hitPolicy": "first", "inputs": inputs, "outputs": outputs,
                         "rules": table_rows}},
            {"id": "response", "type": "outputNode", "name": "Response",
             "position": {"x": 400, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "request", "targetId": "route", "type": "edge"},
                  {"id": "e2", "sourceId": "route", "targetId": "response", "type": "edge"}],
    }


def _engine(name: str, rows: list[tuple[int, str, int]]) -> tuple[Any, Any, Any]:
    """(match_many(records), match_one(record), close) for one engine."""
    from csi_rules.engine.testing import NOW

    if name == "zen":
        import zen

        # the static loader: a Python callback loader is re-entered on every evaluate (25x slower)
        loader = {"type": "static", "content": {"route": zen_content(rows)}}
        engine = zen.ZenEngine({"loader": loader})

        def one(record: Any) -> dict[str, list[str]]:
            rule = engine.evaluate("route", record.data)["result"].get("rule", "")
            return {"route": [rule] if rule else []}

        return (lambda records: [one(r) for r in records]), one, (lambda: None)
    group = routing_group(rows)
    if name == "reference":
        from csi_rules.engine.reference import ReferenceMatcher

        m: Any = ReferenceMatcher([group])
    else:
        from csi_rules.engine.matcher import DurableMatcher

        m = DurableMatcher([group], isolation=name.split("-")[1])
    return (lambda records: m.match_many(records, NOW)), (lambda r: m.match(r, NOW)), m.close


def child(engine: str, rules: int, records: int, latency_sample: int) -> dict[str, Any]:
    """Measure one configuration in this (fresh) process."""
    from csi_rules.records.model import Record

    data = [Record(d) for d in incidents(records)]
    rss_data = peak_rss_kib()
    rows = rule_rows(rules)
    start = time.perf_counter()
    many, one, close = _engine(engine, rows)
    build = time.perf_counter() - start
    start = time.perf_counter()
    results = many(data)
    seconds = time.perf_counter() - start
    lat = latencies_us(one, data[:latency_sample])
    close()
    rss_peak = peak_rss_kib()
    from csi_rules.engine.reference import ReferenceMatcher
    from csi_rules.engine.testing import NOW

    expected = ReferenceMatcher([routing_group(rows)]).match_many(data, NOW)
    return {
        "engine": engine, "rules": rules, "records": records, "build_s": build,
        "seconds": seconds, "records_per_s": records / seconds,
        "p50_us": percentile(lat, 50), "p99_us": percentile(lat, 99),
        "rss_data_kib": rss_data, "rss_peak_kib": rss_peak,
        "worker_rss_kib": peak_rss_kib(children=True) if engine == "durable-process" else 0,
        "mismatches": sum(a != b for a, b in zip(results, expected, strict=True)),
        "matched_share": sum(bool(r["route"]) for r in expected) / records,
    }


def zen_available() -> bool:
    try:
        import zen  # noqa: F401
    except ImportError:
        return False
    return True


def run(quick: bool, reps: int | None = None) -> int:
    records = 20_000 if quick else 100_000
    reps = reps or (1 if quick else 3)
    sample = 500 if quick else 2_000
    engines = [e for e in ENGINES if e != "zen" or zen_available()]
    if "zen" not in engines:
        print("zen-engine is not installed: skipping it (pip install -e '.[bench]')")
    print(f"routing: {records:,} incidents, rule groups of {', '.join(map(str, RULE_COUNTS))}, "
          f"{reps} repetition(s), median reported; latency = single match() calls on "
          f"{sample:,} records; memory = ru_maxrss, fresh process per configuration\n")
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for rep in range(reps):
        for rules in RULE_COUNTS:
            order = engines[rep % len(engines):] + engines[:rep % len(engines)]
            for engine in order:
                args = ["--child", engine, "--rules", str(rules), "--records", str(records),
                        "--sample", str(sample)]
                results.setdefault((engine, rules), []).append(run_child("bench.routing", args))
    failed = False
    for rules in RULE_COUNTS:
        base = median([r["seconds"] for r in results[("reference", rules)] if "seconds" in r])
        rows = []
        for engine in engines:
            runs = results[(engine, rules)]
            ok = [r for r in runs if "error" not in r]
            if not ok:
                rows.append([engine, "error: " + runs[0]["error"][:60], *[""] * 7])
                failed = True
                continue
            seconds = median([r["seconds"] for r in ok])
            mism = max(r["mismatches"] for r in ok)
            failed |= mism > 0
            worker = median([r["worker_rss_kib"] for r in ok]) / 1024
            rows.append([
                engine,
                f"{records / seconds:,.0f}",
                f"{seconds / base:.2f}x",
                f"{median([r['p50_us'] for r in ok]):,.1f}",
                f"{median([r['p99_us'] for r in ok]):,.1f}",
                f"{median([r['rss_data_kib'] for r in ok]) / 1024:.1f}",
                f"{median([r['rss_peak_kib'] for r in ok]) / 1024:.1f}"
                + (f" (+worker {worker:.1f})" if worker else ""),
                str(mism),
            ])
        share = ok[0]["matched_share"] if ok else 0
        print(f"{rules} rules ({share:.0%} of records matched a non-default rule)")
        print(table(["engine", "records/s", "time vs reference", "p50 us", "p99 us",
                     "data MiB", "peak MiB", "mismatches"], rows))
        print()
    print("time vs reference: engine time / reference time in this run (>1 = slower).")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.routing")
    parser.add_argument("--child", choices=ENGINES)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.rules, args.records, args.sample)))
        return 0
    return run(args.quick)


if __name__ == "__main__":
    sys.exit(main())
