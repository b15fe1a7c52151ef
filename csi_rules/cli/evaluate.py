"""`csi-rules evaluate`: records in, decisions with reasons out (JSON lines or text).

JSON output: one object per record and line:
`{"record": {"id", "label", "kind"}, "now": ISO, "decisions": [Decision.to_json(), ...]}`.
"""

from __future__ import annotations

import argparse
import json
import sys

from csi_rules.cli.common import add_now, add_policies
from csi_rules.clock import parse_now
from csi_rules.evaluation import Evaluator
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import load_policy_set
from csi_rules.records.io import read_records


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="evaluate records against policies and explain decisions")
    add_policies(p, help="policy file or directory (repeatable)")
    p.add_argument("--record", required=True, metavar="FILE",
                   help="JSON record, JSON array or JSON lines; '-' reads standard input")
    add_now(p)
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    now = parse_now(args.now)
    policy_set = load_policy_set(args.policies, load_plugins())
    if not policy_set.policies:
        print(f"csi-rules: warning: no policies in {', '.join(args.policies)}: "
              "no record will get a decision", file=sys.stderr)
    records = read_records(args.record)
    with Evaluator(policy_set) as evaluator:
        for record, decisions in zip(records, evaluator.evaluate_many(records, now), strict=True):
            if args.format == "json":
                print(json.dumps({"record": {"id": record.id, "label": record.label,
                                             "kind": record.kind},
                                  "now": now.isoformat(),
                                  "decisions": [d.to_json() for d in decisions]}))
            else:
                print(f"{record.label} ({record.kind}) at {now.isoformat()}:")
                for d in decisions:
                    print("  " + d.format_text().replace("\n", "\n  "))
                if not decisions:
                    print("  no policy applies")
        sys.stdout.flush()
    return 0
