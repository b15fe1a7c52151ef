"""`csi-rules sla`: each SLA's stage, time used and left, thresholds crossed, and why."""

from __future__ import annotations

import argparse
import json

from csi_rules.cli.common import add_now, add_policies
from csi_rules.clock import parse_now
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import load_policy_set
from csi_rules.records.io import read_records
from csi_rules.sla.evaluate import sla_statuses


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sla", help="show where a ticket stands against its SLAs")
    add_policies(p)
    p.add_argument("--record", required=True, metavar="FILE",
                   help="record(s) with `history`; '-' reads standard input")
    add_now(p)
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    now = parse_now(args.now)
    policy_set = load_policy_set(args.policies, load_plugins())
    for record in read_records(args.record):
        statuses = sla_statuses(policy_set, record, now)
        if args.format == "json":
            print(json.dumps({"record": {"id": record.id, "label": record.label},
                              "now": now.isoformat(),
                              "slas": [{**s.to_json(), "explain": s.explain()} for s in statuses]}))
            continue
        print(f"{record.label} at {now.isoformat()}:")
        for status in statuses:
            print(f"  {status.policy} {status.explain()}")
        if not statuses:
            print("  no SLA applies")
    return 0
