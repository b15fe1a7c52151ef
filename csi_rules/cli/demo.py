"""`csi-rules demo`: the README's first command — validate, test and evaluate the example policies.

Runs with no ServiceNow or Jira account: example records ship with the package.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from importlib import resources
from pathlib import Path

from csi_rules.clock import parse_now
from csi_rules.demo.live import live_demo
from csi_rules.demo.report import print_cycle, print_gates
from csi_rules.errors import EXIT_INVALID, UsageError
from csi_rules.evaluation import Evaluator
from csi_rules.plugins import Plugins, load_plugins
from csi_rules.policy.validate import load_policy_set, validate_paths
from csi_rules.records.io import parse_records_text
from csi_rules.testing.runner import run_file
from csi_rules.testing.spec import find_test_files, load_test_file

DEMO_NOW = datetime.fromisoformat("2026-03-02T09:30:00+00:00")  # for the offline records


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="validate, test and evaluate the example policies offline")
    p.add_argument("--policies", default="policies", metavar="DIR")
    p.add_argument("--now", metavar="ISO8601",
                   help="instant of the live runner cycle (default: the clock)")
    p.add_argument("--offline", action="store_true", help="skip the emulators and the runner")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = Path(args.policies)
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory (run the demo from the project root)")
    plugins = load_plugins()
    print(f"== 1. validate {root}/")
    report = validate_paths([str(root)], plugins)
    for finding in report.findings:
        print("   " + finding.format())
    print(f"   {len(report.documents)} policies in {report.files} files, "
          f"{len(report.errors)} errors")
    if report.errors:
        return EXIT_INVALID
    tests = find_test_files(root)
    results = [r for f in tests for r in run_file(load_test_file(f), plugins)]
    failed = [r for r in results if not r.passed]
    print(f"\n== 2. policy unit tests: {len(results) - len(failed)} passed, {len(failed)} failed")
    for r in failed:
        print(f"   FAIL {r.test.file}:{r.test.line}: {r.test.name}\n{r.diff}")
    text = resources.files("csi_rules.examples").joinpath("records.jsonl").read_text("utf-8")
    records = parse_records_text(text, "examples/records.jsonl")
    print(f"\n== 3. evaluate {len(records)} example records at {DEMO_NOW.isoformat()}")
    with Evaluator(load_policy_set([str(root)], plugins)) as evaluator:
        for record, decisions in zip(records, evaluator.evaluate_many(records, DEMO_NOW),
                                     strict=True):
            print(f"\n   {record.label} [{record.kind}] {record.data.get('short_description', '')}")
            for d in decisions:
                print("     " + d.format_text().replace("\n", "\n     "))
            if not decisions:
                print("     no policy applies")
    if not args.offline:
        _live(plugins, root, parse_now(args.now).replace(microsecond=0))
    print("\nNext: csi-rules validate policies/ · csi-rules test policies/ · "
          "csi-rules evaluate --policies policies --record FILE --format text · docs/guide.md")
    return 1 if failed else 0


def _live(plugins: Plugins, root: Path, now: datetime) -> None:
    print(f"\n== 4. live: ServiceNow and Jira emulators on loopback, one runner cycle at "
          f"{now.isoformat()}")
    run = live_demo(plugins, root, now)
    if run is None:
        print("   no emulator plugins installed (pip install -e adapters/servicenow adapters/jira)")
        return
    print_cycle(run)
    print_gates(load_policy_set([str(root)], plugins), run, now)
    print(f"\n   state and audit log: csi-rules status --config {run.config_path}")
    print(f"                        csi-rules log show --config {run.config_path} --record ID")
    print("   try it yourself:     csi-rules emulate servicenow --port 8080 --relative-dates  "
          "(login admin/admin)")
