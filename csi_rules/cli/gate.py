"""`csi-rules gate`: go/no-go for one change, for people and for CI/CD pipelines.

Exit codes: 0 go (warnings allowed), 1 no-go, 2 invalid input or usage, 3 platform unreachable.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from csi_rules.change.gate import NO_GO, evaluate_gate
from csi_rules.change.render import RENDERERS
from csi_rules.change.schedule import schedule_conflicts
from csi_rules.cli.common import add_now, add_policies
from csi_rules.clock import parse_now
from csi_rules.errors import EXIT_NO_GO, EXIT_OK, PolicyError, UsageError
from csi_rules.plugins import Plugins, load_plugins
from csi_rules.policy.loader import load_text
from csi_rules.policy.validate import load_policy_set
from csi_rules.records.io import read_records
from csi_rules.records.model import Record


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gate", help="go/no-go for a change (exit 0 go, 1 no-go, 2 bad input, "
                       "3 platform unreachable)")
    add_policies(p)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--change", metavar="FILE", help="the change record (JSON; '-' = stdin)")
    source.add_argument("--change-id", metavar="ID", help="fetch the change from --adapter")
    p.add_argument("--adapter", metavar="NAME", help="adapter to fetch --change-id from")
    p.add_argument("--adapter-config", metavar="FILE", help="adapter settings (YAML)")
    p.add_argument("--schedule", metavar="FILE",
                   help="other planned changes (JSON lines) to check conflicts against")
    p.add_argument("--cmdb", metavar="FILE", help="CMDB relationships for related-CI conflicts")
    add_now(p)
    p.add_argument("--format", choices=tuple(RENDERERS), default="text")
    p.set_defaults(run=run)


def _fetch(args: argparse.Namespace, plugins: Plugins) -> Record:
    if not args.adapter:
        raise UsageError("--change-id needs --adapter NAME")
    config: dict[str, Any] = {}
    if args.adapter_config:
        try:
            text = Path(args.adapter_config).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--adapter-config: cannot read {args.adapter_config}: "
                             f"{exc.strerror}") from None
        docs, findings = load_text(text, args.adapter_config)
        if findings:
            raise PolicyError(findings)
        data = docs[0].data if docs else {}
        if not isinstance(data, dict):
            raise UsageError(f"{args.adapter_config}:1: adapter settings must be a mapping")
        config = data
    adapter = plugins.adapters.get(args.adapter)(config)
    try:
        return adapter.fetch_record(args.change_id)
    finally:
        adapter.close()


def run(args: argparse.Namespace) -> int:
    now = parse_now(args.now)
    plugins = load_plugins()
    policy_set = load_policy_set(args.policies, plugins)
    if not policy_set.policies:
        raise UsageError(f"no policies in {', '.join(args.policies)}: refusing to gate "
                         "without checks")
    if args.change:
        records = read_records(args.change)
        if len(records) != 1:
            raise UsageError(f"--change holds {len(records)} records; the gate takes one")
        change = records[0]
    else:
        change = _fetch(args, plugins)
    if not any(change.kind in p.applies_to for p in policy_set.of_kind("GatePolicy")):
        raise UsageError(f"no GatePolicy applies to {change.kind} records in "
                         f"{', '.join(args.policies)}: refusing to answer go without checks")
    conflicts = schedule_conflicts(policy_set, change, args.schedule, args.cmdb)
    result = evaluate_gate(policy_set, change, now, conflicts)
    print(RENDERERS[args.format](result))
    return EXIT_NO_GO if result.verdict == NO_GO else EXIT_OK
