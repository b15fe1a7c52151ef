"""`python -m bench [NAME] [options]`: every benchmark prints ratios against a baseline run in
the same process. NAME: routing (default), differential, conflicts, replay, servicenow, jira,
end-to-end, validation, evaluate-csv, cli-startup, shared-runners, notify-fanout,
gate-latency, store-cost. Options after NAME go to that benchmark (`--help` lists them)."""

from __future__ import annotations

import argparse
import importlib
import sys

SCRIPTS = {"conflicts": "bench.conflicts", "replay": "bench.replay_uci",
           "servicenow": "bench.servicenow_sync", "jira": "bench.jira_sync",
           "end-to-end": "bench.end_to_end", "validation": "bench.validation_scale",
           "evaluate-csv": "bench.evaluate_csv", "cli-startup": "bench.cli_startup",
           "shared-runners": "bench.shared_runners", "notify-fanout": "bench.notify_fanout",
           "gate-latency": "bench.gate_latency", "store-cost": "bench.store_cost"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SCRIPTS:
        module = importlib.import_module(SCRIPTS[argv[0]])
        sys.argv = [f"python -m bench {argv[0]}", *argv[1:]]
        return int(module.main() or 0)
    from bench import differential, routing

    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("what", nargs="?", choices=["routing", "differential", *SCRIPTS],
                        default="routing")
    parser.add_argument("--quick", action="store_true", help="20k records, one repetition")
    parser.add_argument("--reps", type=int, help="repetitions per configuration")
    parser.add_argument("--records", type=int, default=1_000_000,
                        help="records for the differential run")
    args = parser.parse_args(argv)
    if args.what == "differential":
        return differential.run(args.records // 10 if args.quick else args.records)
    return routing.run(args.quick, args.reps)


if __name__ == "__main__":
    sys.exit(main())
