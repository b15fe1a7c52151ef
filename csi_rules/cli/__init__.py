"""The `csi-rules` command: the single boundary that turns errors into messages and exit codes."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from csi_rules import __version__
from csi_rules.errors import EXIT_INTERNAL, CsiRulesError, PolicyError

COMMANDS = {
    "validate": "validate", "evaluate": "evaluate", "test": "policytest", "sla": "sla_cmd",
    "replay": "replay_cmd", "gate": "gate", "conflicts": "conflicts_cmd",
    "correlate": "correlate_cmd", "kpi": "kpi_cmd", "schema": "schema_cmd",
    "plugins": "plugins_cmd", "emulate": "emulate", "demo": "demo", "run": "run_cmd",
    "status": "status_cmd", "log": "log_cmd", "serve": "serve_cmd", "change": "change_cmd",
    "oncall": "oncall_cmd",
}
"""Command name -> its module in csi_rules.cli. A run imports only the module of the command
it names (start-up time: `validate` need not load the runner, the server or the emulators)."""


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"csi_rules.cli.{COMMANDS[name]}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with `only` the parser of that one command (what a run needs)."""
    parser = argparse.ArgumentParser(
        prog="csi-rules",
        description="ITSM service rules as code: validate, test and evaluate policies.",
    )
    parser.add_argument("--version", action="version", version=f"csi-rules {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            command_module(name).register(sub)
    return parser


def _named_command(argv: Sequence[str]) -> str | None:
    """The command `argv` starts with when it is a known one, else None (the full parser, for
    --help, --version and a misspelt command's list of choices)."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def _started() -> None:
    """Leave the objects of start-up (the command's modules, its parser) to the collector no
    more: importing them ran it ~30 times over objects that live as long as the process (the
    yaml, jsonschema and csi_rules modules), ~5% of `csi-rules validate`. Done only when the
    process is the command's own, so a caller's objects (a test suite's) are never frozen."""
    gc.freeze()
    gc.enable()


def console_script() -> int:
    """The `csi-rules` console script: the process is the command's own, so the objects of
    start-up are frozen and a command may end the process once its output is out."""
    return main(owns_process=True)


def main(argv: Sequence[str] | None = None, *, owns_process: bool = False) -> int:
    """Run a command (`argv`, else the process's arguments); returns the exit code. A caller
    in the same process gets its process back as it was; only `console_script` (the
    process's own run) says it `owns_process`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # without building every command's parser (importing them all)
        print(f"csi-rules {__version__}")
        return 0
    if owns_process:
        gc.disable()  # start-up: modules load, and they are not garbage (see _started)
    parser = build_parser(_named_command(argv))
    args = parser.parse_args(argv)
    args.owns_process = owns_process  # a command may then end the process itself when done
    if owns_process:
        _started()
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
