"""Options that several commands share, declared once so they read and behave the same."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from csi_rules.errors import PolicyError, UsageError


def add_policies(p: argparse.ArgumentParser, help: str | None = None) -> None:
    """--policies DIR, required and repeatable: the policy files or directories to load."""
    p.add_argument("--policies", action="append", required=True, metavar="DIR", help=help)


def add_now(p: argparse.ArgumentParser) -> None:
    """--now ISO8601: the evaluation instant, so a run can be repeated (default: the clock)."""
    p.add_argument("--now", metavar="ISO8601", help="evaluation instant (default: the clock)")


def add_engine(p: argparse.ArgumentParser) -> None:
    """--engine NAME: which matcher decides rule-based policies; every engine gives the same
    decisions (docs/engine.md), so this is for cross-checking and measuring."""
    p.add_argument("--engine", choices=ENGINES, default=ENGINES[0],
                   help=f"rules engine (default: {ENGINES[0]}; docs/engine.md)")


ENGINES = ("compiled", "durable", "reference")
"""csi_rules.engine.select.ENGINES, default first; spelled out so building the parser does not
import the engine package (start-up time; a test keeps the two equal)."""


def read_yaml_mapping(path: str, flag: str, what: str) -> dict[str, Any]:
    """The one YAML mapping in the file an option names; `what` says what it must be."""
    from csi_rules.policy.loader import load_text  # parser start-up stays light

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{flag}: cannot read {path}: {exc.strerror}") from None
    docs, findings = load_text(text, path)
    if findings:
        raise PolicyError(findings)
    data = docs[0].data if docs else {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}:1: {what}")
    return data
