"""Long commands show progress on a terminal and print none when standard error is not one
(pipes, CI logs, files stay clean)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios

from tests.conftest import POLICIES
from tests.replay.conftest import EXTRACT, UCI_MAPPING

CSI_RULES = [sys.executable, "-c", "import sys; from csi_rules.cli import main; sys.exit(main())"]
EVALUATE = ["evaluate", "--policies", str(POLICIES), "--record", str(EXTRACT), "--mapping",
            str(UCI_MAPPING), "--now", "2016-06-01T00:00:00Z"]
REPLAY = ["replay", "--policies", str(POLICIES), "--history", str(EXTRACT), "--mapping",
          str(UCI_MAPPING)]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "CSI_RULES_PROGRESS"}


def _on_terminal(args: list[str]) -> tuple[int, str]:
    """Run with standard error on a pseudo-terminal; (exit code, what the terminal got)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    proc = subprocess.Popen([*CSI_RULES, *args], stdout=subprocess.DEVNULL, stderr=slave,
                            env=_env())
    os.close(slave)
    got = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not chunk:
                break
            got += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=120), got.decode("utf-8", "replace")


def test_evaluate_of_a_csv_prints_no_progress_when_stderr_is_not_a_terminal():
    done = subprocess.run([*CSI_RULES, *EVALUATE], capture_output=True, text=True, env=_env(),
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "\r" not in done.stdout and "row/s" not in done.stdout


def test_replay_prints_no_progress_when_stderr_is_not_a_terminal():
    done = subprocess.run([*CSI_RULES, *REPLAY], capture_output=True, text=True, env=_env(),
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_on_a_terminal_evaluate_and_replay_count_the_rows_they_read():
    for args in (EVALUATE, REPLAY):
        code, terminal = _on_terminal(args)
        assert code == 0, terminal
        assert "reading" in terminal and "row" in terminal, terminal


def test_progress_can_be_turned_off_on_a_terminal(monkeypatch):
    monkeypatch.setenv("CSI_RULES_PROGRESS", "0")
    master, slave = pty.openpty()
    try:
        with os.fdopen(os.dup(slave), "w") as tty:
            from csi_rules.cli.progress import enabled

            assert enabled(tty) is False
            monkeypatch.delenv("CSI_RULES_PROGRESS")
            assert enabled(tty) is True
    finally:
        os.close(master)
        os.close(slave)
