"""A module planted in the working directory never runs inside the engine worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import POLICIES

CLI = Path(sys.executable).with_name("csi-rules")
PLANT = "import pathlib\npathlib.Path(__file__).with_name('PLANTED-RAN').write_text('yes')\n"


def _run_in(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    for name in ("multiprocessing.py", "csi_rules.py", "durable.py"):
        (cwd / name).write_text(PLANT)
    return subprocess.run([str(CLI), *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_evaluate_does_not_import_modules_from_the_working_directory(tmp_path: Path) -> None:
    record = {"id": "x1", "number": "INC1", "kind": "incident", "priority": 3}
    done = _run_in(tmp_path, "evaluate", "--engine", "durable", "--policies", str(POLICIES),
                   "--record", "-", "--now", "2026-03-02T09:30:00Z", stdin=json.dumps(record))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["record"]["id"] == "x1"
    assert not (tmp_path / "PLANTED-RAN").exists()


def test_policy_tests_do_not_import_modules_from_the_working_directory(tmp_path: Path) -> None:
    done = _run_in(tmp_path, "test", "--engine", "durable",  # the engine with a worker process
                   str(POLICIES / "tests" / "correlation.test.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "PLANTED-RAN").exists()
