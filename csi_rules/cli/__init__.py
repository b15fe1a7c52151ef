"""The `csi-rules` command: the single boundary that turns errors into messages and exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from csi_rules import __version__
from csi_rules.cli import (
    change_cmd,
    conflicts_cmd,
    correlate_cmd,
    demo,
    emulate,
    evaluate,
    gate,
    kpi_cmd,
    log_cmd,
    oncall_cmd,
    plugins_cmd,
    policytest,
    replay_cmd,
    run_cmd,
    schema_cmd,
    serve_cmd,
    sla_cmd,
    status_cmd,
    validate,
)
from csi_rules.errors import EXIT_INTERNAL, CsiRulesError, PolicyError

COMMANDS = (validate, evaluate, policytest, sla_cmd, replay_cmd, gate, conflicts_cmd, correlate_cmd, kpi_cmd,
            schema_cmd, plugins_cmd, emulate, demo,
            run_cmd, status_cmd, log_cmd, serve_cmd, change_cmd, oncall_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csi-rules",
        description="ITSM service rules as code: validate, test and evaluate policies.",
    )
    parser.add_argument("--version", action="version", version=f"csi-rules {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except PolicyError as exc:
        for finding in exc.findings:
            print(finding.format(), file=sys.stderr)
        return exc.exit_code
    except CsiRulesError as exc:
        print(f"csi-rules: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception:
        if os.environ.get("CSI_RULES_RAISE_ERRORS"):
            raise
        import traceback

        traceback.print_exc()
        print("csi-rules: internal error (a bug: please report it with the traceback above)",
              file=sys.stderr)
        return EXIT_INTERNAL
