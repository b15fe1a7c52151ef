"""Shared fixtures: plugin managers built explicitly, and a CLI runner that captures output."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from csi_rules.plugins import Plugins, load_plugins

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    """Built-in plugins only: tests must not depend on what happens to be installed."""
    return load_plugins(entry_points=False)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `csi-rules ARGS...` in-process; returns exit code, stdout and stderr."""

    from csi_rules.cli import main

    def run(*args: str, stdin: str | None = None) -> CliResult:
        if stdin is not None:
            import io

            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
