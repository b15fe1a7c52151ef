"""`csi-rules kpi`: which KPI series missed their target N periods in a row, and what to do."""

from __future__ import annotations

import argparse
import json

from csi_rules.cli.common import add_policies
from csi_rules.kpi.evaluate import kpi_decisions
from csi_rules.kpi.series import read_points
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import load_policy_set


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kpi", help="find KPI series breached N consecutive periods")
    add_policies(p)
    p.add_argument("--series", required=True, metavar="FILE",
                   help="JSON lines: {period: YYYY-MM-DD, metric, value, <labels>}")
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    policy_set = load_policy_set(args.policies, load_plugins())
    for d in kpi_decisions(policy_set, read_points(args.series)):
        if args.format == "json":
            print(json.dumps(d.to_json()))
        else:
            print(d.format_text())
    return 0
