"""`csi-rules validate PATH...`: every finding in every file, exit 2 when any is an error.

With `--adapter NAME` (repeatable) or `--config FILE` every action is also checked against what
those adapters declare they carry out, offline: an action or parameter an adapter would drop is
an error at its place in the policy.
"""

from __future__ import annotations

import argparse
import json
import sys

from csi_rules.errors import EXIT_INVALID, EXIT_OK, UsageError
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import validate_paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="validate policy files and report every finding")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="policy files or directories (default with --config: its policies)")
    p.add_argument("--adapter", action="append", default=[], metavar="NAME",
                   help="also check every action against what this adapter carries out "
                        "(its default settings; repeatable; no connection is made)")
    p.add_argument("--config", metavar="FILE",
                   help="also check every action against the adapters of this runner config, "
                        "with their settings and record kinds (no connection is made)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    plugins = load_plugins()
    config = None
    if args.config:
        from csi_rules.runtime.config import load_config  # loads the runner: only when asked

        config = load_config(args.config)
    paths = list(args.paths) or (list(config.policies) if config else [])
    if not paths:
        raise UsageError("validate needs a PATH (or --config FILE to validate its policies)")
    checks_adapters = bool(args.adapter or config)
    if checks_adapters:  # their capabilities are imported only when asked for (start-up time)
        from csi_rules.cli.adapter_checks import config_targets, findings_for, named_targets

        targets = named_targets(plugins, args.adapter)
        if config:
            targets += config_targets(plugins, config)
    report = validate_paths(paths, plugins)
    if checks_adapters:
        report.findings = sorted(report.findings + findings_for(report.documents, targets,
                                                                       plugins, config))
    errors = len(report.errors)
    warnings = len(report.findings) - errors
    if args.format == "json":
        json.dump({"files": report.files, "policies": len(report.documents),
                   "errors": errors, "warnings": warnings,
                   "findings": [f.to_json() for f in report.findings]}, sys.stdout, indent=2)
        print()
    else:
        for finding in report.findings:
            print(finding.format())
        status = "invalid" if errors else "ok"
        print(f"{status}: {report.files} file(s), {len(report.documents)} valid policy document(s), "
              f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return EXIT_INVALID if errors else EXIT_OK
