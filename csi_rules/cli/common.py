"""Options that several commands share, declared once so they read and behave the same."""

from __future__ import annotations

import argparse


def add_policies(p: argparse.ArgumentParser, help: str | None = None) -> None:
    """--policies DIR, required and repeatable: the policy files or directories to load."""
    p.add_argument("--policies", action="append", required=True, metavar="DIR", help=help)


def add_now(p: argparse.ArgumentParser) -> None:
    """--now ISO8601: the evaluation instant, so a run can be repeated (default: the clock)."""
    p.add_argument("--now", metavar="ISO8601", help="evaluation instant (default: the clock)")
