"""`csi-rules validate PATH...`: every finding in every file, exit 2 when any is an error."""

from __future__ import annotations

import argparse
import json
import sys

from csi_rules.errors import EXIT_INVALID, EXIT_OK
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import validate_paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="validate policy files and report every finding")
    p.add_argument("paths", nargs="+", metavar="PATH", help="policy files or directories")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    report = validate_paths(args.paths, load_plugins())
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
