"""`csi-rules gate`: go/no-go for one change, for people and for CI/CD pipelines.

Exit codes: 0 go (warnings allowed), 1 no-go, 2 invalid input or usage, 3 platform unreachable
or, with --wait, the time ran out before the verdict was final (the reason goes to stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from csi_rules.change.gate import NO_GO, GateResult, evaluate_gate
from csi_rules.change.platform import platform_schedule
from csi_rules.change.render import RENDERERS
from csi_rules.change.schedule import conflicts_with, schedule_conflicts
from csi_rules.change.waiting import ServerWake, wait_for_verdict
from csi_rules.cli.common import add_now, add_policies, read_yaml_mapping
from csi_rules.clock import parse_now, system_now
from csi_rules.errors import EXIT_NO_GO, EXIT_OK, EXIT_UNREACHABLE, UsageError
from csi_rules.net import is_loopback
from csi_rules.plugins import Plugins, load_plugins
from csi_rules.policy.model import PolicySet
from csi_rules.policy.validate import load_policy_set
from csi_rules.records.io import read_records
from csi_rules.records.model import Record
from csi_rules.sla.durations import parse_duration


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gate", help="go/no-go for a change (exit 0 go, 1 no-go, 2 bad input, "
                       "3 platform unreachable or --wait timed out)")
    add_policies(p)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--change", metavar="FILE", help="the change record (JSON; '-' = stdin)")
    source.add_argument("--change-id", metavar="ID", help="fetch the change from --adapter "
                        "(and, without --schedule, the platform's overlapping changes)")
    p.add_argument("--adapter", metavar="NAME", help="adapter to fetch --change-id from")
    p.add_argument("--adapter-config", metavar="FILE", help="adapter settings (YAML)")
    p.add_argument("--schedule", metavar="FILE",
                   help="other planned changes (JSON lines) to check conflicts against")
    p.add_argument("--cmdb", metavar="FILE", help="CMDB relationships for related-CI conflicts")
    add_now(p)
    p.add_argument("--wait", action="store_true", help="with --change-id: ask again until the "
                   "verdict is final (approved and inside its window, or a no-go waiting "
                   "cannot cure)")
    p.add_argument("--timeout", default="2h", metavar="DURATION",
                   help="--wait: give up after this long, exit 3 (default 2h)")
    p.add_argument("--poll-interval", default="30s", metavar="DURATION",
                   help="--wait: first pause between questions; it grows 1.5x up to 5m")
    p.add_argument("--server", metavar="URL", help="--wait: a `csi-rules serve` that receives "
                   "the platform's webhooks; a webhook for the change ends a pause at once "
                   "(GET URL/v1/changes/ID/wait), polling stays the fallback")
    p.add_argument("--server-token-env", metavar="NAME", help="--server: environment variable "
                   "holding serve's /v1/gate bearer token")
    p.add_argument("--format", choices=tuple(RENDERERS), default="text")
    p.set_defaults(run=run)


def adapter_config(path: str | None) -> dict[str, Any]:
    """Adapter settings from a YAML file (empty when no file is named)."""
    if not path:
        return {}
    return read_yaml_mapping(path, "--adapter-config", "adapter settings must be a mapping")


def open_adapter(args: argparse.Namespace, plugins: Plugins) -> Any:
    if not args.adapter:
        raise UsageError("--change-id needs --adapter NAME")
    return plugins.adapters.get(args.adapter)(adapter_config(args.adapter_config))


def _duration(flag: str, text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _ask(args: argparse.Namespace, policy_set: PolicySet, adapter: Any,
         change: Record | None, now: datetime) -> GateResult:
    if change is None:
        change = adapter.fetch_record(args.change_id)
    _refuse_without_gate(policy_set, change, args)
    if args.schedule is not None or adapter is None:
        conflicts = schedule_conflicts(policy_set, change, args.schedule, args.cmdb)
    else:
        from csi_rules.conflicts import load_cmdb

        conflicts = conflicts_with(policy_set, change, platform_schedule(adapter, change),
                                   load_cmdb(args.cmdb) if args.cmdb else None)
    return evaluate_gate(policy_set, change, now, conflicts)


def _refuse_without_gate(policy_set: PolicySet, change: Record, args: argparse.Namespace) -> None:
    if not any(change.kind in p.applies_to for p in policy_set.of_kind("GatePolicy")):
        raise UsageError(f"no GatePolicy applies to {change.kind} records in "
                         f"{', '.join(args.policies)}: refusing to answer go without checks")


def _wake(args: argparse.Namespace) -> ServerWake | None:
    """The long-poll sleep on `--server`, or None (plain sleep)."""
    if not args.server:
        if args.server_token_env:
            raise UsageError("--server-token-env needs --server URL")
        return None
    parts = urlsplit(args.server)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--server: {args.server!r} is not an http(s) URL")
    token = ""
    if args.server_token_env:
        token = os.environ.get(args.server_token_env, "")
        if not token:
            raise UsageError(f"--server-token-env: {args.server_token_env} is not set")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise UsageError("--server: the token would travel in clear text; use https "
                             "(plain http only on loopback)")
    return ServerWake(args.server, token, sleep=time.sleep, monotonic=time.monotonic,
                      progress=lambda line: print(f"csi-rules gate: {line}", file=sys.stderr,
                                                  flush=True))


def run(args: argparse.Namespace) -> int:
    plugins = load_plugins()
    policy_set = load_policy_set(args.policies, plugins)
    if not policy_set.policies:
        raise UsageError(f"no policies in {', '.join(args.policies)}: refusing to gate "
                         "without checks")
    if args.server and not args.wait:
        raise UsageError("--server shortens --wait's pauses: use it with --wait")
    if args.wait and (args.change or args.now):
        raise UsageError("--wait asks the platform again as time passes: it needs "
                         "--change-id and takes no --now")
    change: Record | None = None
    if args.change:
        records = read_records(args.change)
        if len(records) != 1:
            raise UsageError(f"--change holds {len(records)} records; the gate takes one")
        change = records[0]
    adapter = open_adapter(args, plugins) if args.change_id else None
    try:
        if not args.wait:
            result = _ask(args, policy_set, adapter, change, parse_now(args.now))
        else:
            wake = _wake(args)

            def ask(now: datetime) -> GateResult:
                answer = _ask(args, policy_set, adapter, None, now)
                if wake is not None:
                    wake.record_id = answer.change_id  # the id webhooks name the change by
                return answer

            outcome = wait_for_verdict(
                ask, now=system_now, sleep=wake.sleep if wake is not None else time.sleep,
                timeout=timedelta(seconds=_duration("--timeout", args.timeout)),
                interval=_duration("--poll-interval", args.poll_interval),
                progress=lambda line: print(f"csi-rules gate: {line}", file=sys.stderr,
                                            flush=True))
            if outcome.timed_out or outcome.result is None:
                if outcome.result is not None:
                    print(RENDERERS[args.format](outcome.result))
                print(f"csi-rules gate: timed out after {args.timeout} waiting for "
                      f"{args.change_id}: {outcome.reason}", file=sys.stderr)
                return EXIT_UNREACHABLE
            result = outcome.result
    finally:
        if adapter is not None:
            adapter.close()
    print(RENDERERS[args.format](result))
    return EXIT_NO_GO if result.verdict == NO_GO else EXIT_OK
