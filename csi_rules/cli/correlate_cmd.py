"""`csi-rules correlate`: sets of related tickets (same service, CI, symptom) within a window."""

from __future__ import annotations

import argparse
import json

from csi_rules.cli.common import add_engine, add_now, add_policies
from csi_rules.clock import parse_now
from csi_rules.correlation.evaluate import correlate, correlation_groups
from csi_rules.engine.select import make_matcher
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import load_policy_set
from csi_rules.records.io import read_records


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("correlate", help="find correlated tickets (e.g. 3 P1s on one service "
                       "in 10 minutes)")
    add_policies(p)
    p.add_argument("--records", required=True, metavar="FILE",
                   help="tickets as JSON lines (or an array); '-' reads standard input")
    add_now(p)
    add_engine(p)
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    now = parse_now(args.now)
    policy_set = load_policy_set(args.policies, load_plugins())
    records = read_records(args.records)
    with make_matcher(correlation_groups(policy_set), args.engine) as matcher:
        for decision in correlate(policy_set, records, matcher, now):
            print(json.dumps(decision.to_json()) if args.format == "json"
                  else decision.format_text())
    return 0
