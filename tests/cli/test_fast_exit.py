"""`csi-rules conflicts` run by the console script ends the process as soon as its report is
out (no teardown of the schedule), with every byte written and the same exit code; anything
that waits for a normal exit (an exit handler, a caller in the same process) gets one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POLICIES, ROOT

EXTRACT = ROOT / "tests" / "conflicts" / "data" / "rabobank-detail-change-extract.csv"
SAME_CI = """apiVersion: csi-rules/v1
kind: ConflictPolicy
metadata: {name: same-ci, owner: test}
spec:
  sameCi: {severity: blocking}
"""


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    (tmp_path / "same-ci.yaml").write_text(SAME_CI)
    return tmp_path


def _run(policy: Path, before: str, call: str) -> subprocess.CompletedProcess[str]:
    code = (f"import atexit, sys; {before}; sys.argv = ['csi-rules', *sys.argv[1:]]; "
            f"from csi_rules.cli import console_script, main; code = {call}; "
            "print('main returned', code, file=sys.stderr); sys.exit(code)")
    args = ["conflicts", "--policies", str(policy), "--changes", str(EXTRACT), "--mapping",
            str(POLICIES / "mappings" / "rabobank-changes.yaml"), "--format", "json"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output buffered,
    # as it is for most users: what is not flushed before the process ends is lost
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=False, env=env)


def test_the_console_script_leaves_once_the_report_is_written_in_full(policy: Path):
    fast = _run(policy, "pass", "console_script()")
    usual = _run(policy, "pass", "main()")  # a caller in the same process
    assert "main returned" not in fast.stderr and fast.stderr == ""
    assert usual.stderr == f"main returned {usual.returncode}\n"
    assert fast.returncode == usual.returncode == 1  # blocking sameCi conflicts
    assert fast.stdout == usual.stdout and fast.stdout.endswith("}\n")
    assert len(fast.stdout) > 5_000


def test_an_exit_handler_gets_the_usual_exit(policy: Path):
    done = _run(policy, "atexit.register(lambda: print('handler ran', file=sys.stderr))",
                "console_script()")
    assert done.stderr == "main returned 1\nhandler ran\n"
    assert done.returncode == 1 and done.stdout.endswith("}\n")


def test_a_closed_standard_error_keeps_the_report_and_the_exit_code(policy: Path):
    """`2>&-` leaves sys.stderr None: the report must still be whole and the code 1, not an
    internal error whose traceback lands in the report."""
    code = ("import sys; sys.argv = ['csi-rules', *sys.argv[1:]]; "
            "from csi_rules.cli import console_script; sys.exit(console_script())")
    args = ["conflicts", "--policies", str(policy), "--changes", str(EXTRACT), "--mapping",
            str(POLICIES / "mappings" / "rabobank-changes.yaml"), "--format", "json"]
    done = subprocess.run([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, check=False,
                          pass_fds=(), close_fds=True, preexec_fn=lambda: os.close(2))
    assert done.returncode == 1
    assert done.stdout.endswith("}\n") and "Traceback" not in done.stdout
