"""`csi-rules run --config FILE [--once] [--dry-run]`: the always-on runner.

Exit codes: 0 done (or stopped by SIGTERM/SIGINT), 2 invalid config, policies or adapter
settings, or a policy action a configured adapter cannot carry out (nothing is created), 3
(with --once) an adapter could not be synced, whether the platform was unreachable or refused
the credentials (401/403). `gate --change-id` exits 2 for refused credentials
(AdapterAuthError): it fails on the one call it makes, while `run` records the failed sync and
carries on, so a refusal is reported like any sync failure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from typing import Any

from csi_rules.cli.adapter_checks import config_targets, findings_for
from csi_rules.errors import EXIT_OK, EXIT_UNREACHABLE, PolicyError
from csi_rules.plugins import Plugins, load_plugins
from csi_rules.policy.validate import validate_paths
from csi_rules.runtime import FaultHook, JsonLinesReporter, Runner, SystemClock, load_config
from csi_rules.runtime.config import RunnerConfig
from csi_rules.runtime.events import Reporter, TerminalReporter
from csi_rules.runtime.policies import PolicyCheck


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="sync, evaluate and act continuously (or --once)",
        description="Sync, evaluate and act continuously (or --once). Exit codes: 0 done or "
                    "stopped by SIGTERM/SIGINT; 2 invalid config, policies or adapter settings, "
                    "or an action a configured adapter cannot carry out (nothing is created); "
                    "3 with --once, an adapter could not be synced (platform unreachable, or "
                    "credentials refused: 401/403).")
    p.add_argument("--config", required=True, metavar="FILE", help="runner config (YAML)")
    p.add_argument("--once", action="store_true", help="run one cycle and exit")
    p.add_argument("--dry-run", action="store_true",
                   help="shadow mode: evaluate and log decisions, write nothing to platforms")
    p.add_argument("--full-sync", action="store_true",
                   help="ignore the watermarks once and re-read every watched record")
    p.set_defaults(run=run)


def reporter_for(stream: Any, clock: SystemClock) -> Reporter:
    """A progress line on a terminal, JSON lines for everything else (log collectors)."""
    if hasattr(stream, "isatty") and stream.isatty():
        return TerminalReporter(stream)
    return JsonLinesReporter(stream, clock.now)


def check_actions(config: RunnerConfig, plugins: Plugins) -> None:
    """Refuse to start when an adapter cannot carry out an action a policy asks of it (the same
    findings as `validate --config`); warnings (actions only recorded) go to stderr."""
    report = validate_paths(config.policies, plugins)
    if report.errors:
        return  # the runner reports these itself, the same way as before
    found = action_check(config, plugins)(report.documents)
    errors = [f for f in found if f.severity == "error"]
    if errors:
        raise PolicyError(errors)
    for finding in found:
        print(finding.format(), file=sys.stderr)


def action_check(config: RunnerConfig, plugins: Plugins) -> PolicyCheck:
    """The same check for a reloaded set: an edit asking for an action an adapter cannot carry
    out is rejected like an invalid one, and the last good set keeps running."""
    targets = config_targets(plugins, config)
    return lambda documents: findings_for(documents, targets, plugins, config)


def build_runner(args: argparse.Namespace, clock: SystemClock, **options: Any) -> Runner:
    config = load_config(args.config)
    plugins = options.pop("plugins", None) or load_plugins()
    check_actions(config, plugins)
    options.setdefault("policy_check", action_check(config, plugins))
    return Runner(config, clock=clock, plugins=plugins, dry_run=getattr(args, "dry_run", False),
                  reporter=reporter_for(sys.stderr, clock),
                  faults=FaultHook.from_environ(os.environ),
                  full_sync=getattr(args, "full_sync", False), **options)


def run(args: argparse.Namespace) -> int:
    clock = SystemClock()
    with build_runner(args, clock) as runner:
        if args.once:
            report = runner.run_once()
            print(json.dumps(report.to_json()))
            sync_failed = any(e.startswith("sync ") for e in report.errors)
            return EXIT_UNREACHABLE if sync_failed else EXIT_OK
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: runner.stop())
        runner.run_forever()
    return EXIT_OK
