"""durable-rules in a child process, so a crash in its C core cannot take the caller down.

Containment decision: durable's C core is not memory-safe (reproduced segfaults on session
deletion, past 1,024 sessions, and an out-of-bounds read in correlated joins), and a
segfault cannot be caught in-process. The engine therefore runs in a worker process: a
fresh interpreter started with `python -I -c` running `serve` (not multiprocessing's
"fork", which would copy the caller's threads and locks, nor "spawn", which re-imports
the caller's `__main__`), talking over a socket pair. The child is isolated (`-I`): the
working directory, PYTHONPATH and user site-packages are not on its import path, so a
`multiprocessing.py` planted in a policy repository never runs; the directories the
caller's csi_rules and durable were imported from are appended explicitly, after the
standard library. The parent owns the records and sends
only projected facts; the worker answers spec indices. A worker that dies closes its end
of the socket, so the parent notices at once (EOF, not a hang) and reads the exit status;
a worker that stops answering is killed after `timeout` seconds. On a crash the parent
restarts the worker and retries (see `matcher.DurableMatcher` for the exact policy).

Cost: one pickled round trip per batch (the facts are small integer dicts) and ~0.2 s to
start or restart a worker. The parent pipelines: it projects the next batch while the
worker evaluates the current one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection, wait

from csi_rules.engine.program import CompiledProgram
from csi_rules.engine.runner import Answers, Batch
from csi_rules.errors import EngineError

# what the child runs: `-c`, not `-m`, so the engine package is imported exactly once;
# argv[2:] are import roots appended after the standard library and site-packages
_BOOT = ("import sys; sys.path.extend(p for p in sys.argv[2:] if p not in sys.path); "
         "from multiprocessing.connection import Connection; "
         "from csi_rules.engine.worker import serve; serve(Connection(int(sys.argv[1])))")


def child_command(*args: str) -> list[str]:
    """An isolated interpreter running `_BOOT`: no cwd, no PYTHONPATH, no user site."""
    return [sys.executable, "-I", "-c", _BOOT, *args, *_import_roots()]


def _import_roots() -> list[str]:
    """Where this process found csi_rules (and durable, if imported): nothing else."""
    roots: list[str] = []
    for name in ("csi_rules", "durable"):
        module = sys.modules.get(name)
        for location in getattr(module, "__path__", None) or []:
            root = os.path.dirname(os.path.abspath(location))
            if root not in roots:
                roots.append(root)
    return roots


class WorkerCrashed(EngineError):
    """The worker process died (signal or exit) before answering."""


def serve(conn: Connection) -> None:
    """Child-process loop: receive the program, then answer batches until told to stop."""
    from csi_rules.engine.durable_host import DurableRuntime
    from csi_rules.engine.runner import run_batch

    program: CompiledProgram = conn.recv()
    try:
        runtime = DurableRuntime(program)
    except EngineError as exc:  # e.g. durable refused a ruleset: tell the parent why
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            batch: Batch | None = conn.recv()
        except EOFError:
            return
        if batch is None:
            return
        if batch.fault == "segfault":  # test-only fault injection (matcher.FaultPlan)
            os.kill(os.getpid(), signal.SIGSEGV)
        if batch.fault == "hang":
            signal.pause()
        try:
            conn.send(("ok", run_batch(runtime, program, batch)))
        except EngineError as exc:
            conn.send(("error", str(exc)))
            if runtime.broken:
                runtime = DurableRuntime(program)


START_TIMEOUT = 60.0  # seconds for a new worker to start and accept its rulesets


class WorkerProcess:
    """Parent-side handle: start, submit one batch, wait for its answers, restart, close."""

    def __init__(self, program: CompiledProgram, timeout: float):
        self._program = program
        self._timeout = timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self.starts = 0
        self._start()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        try:
            self._proc = subprocess.Popen(
                child_command(str(theirs.fileno())),
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, close_fds=True,
                start_new_session=True,  # Ctrl-C is the caller's to handle, not the worker's
            )
        finally:
            theirs.close()
        self._conn = Connection(ours.detach())
        self.starts += 1
        try:
            self._conn.send(self._program)
            # "ready": the rulesets were accepted. Starting an interpreter and importing durable
            # on a loaded machine is slow, not hung, so it gets its own, longer limit.
            self._receive(max(self._timeout, START_TIMEOUT))
        except BaseException:
            self.close()
            raise

    def submit(self, batch: Batch) -> None:
        if self._conn is None:
            raise WorkerCrashed("durable worker is not running")
        try:
            self._conn.send(batch)
        except OSError:
            raise WorkerCrashed(self._death()) from None

    def result(self) -> Answers:
        answers: Answers = self._receive()
        return answers

    def _receive(self, timeout: float | None = None) -> Answers:
        if self._conn is None:
            raise WorkerCrashed("durable worker is not running")
        limit = self._timeout if timeout is None else timeout
        if not wait([self._conn], limit):
            self._kill()
            raise EngineError(f"durable worker gave no answer within {limit:g} s; "
                              "it was stopped")
        try:
            status, payload = self._conn.recv()
        except (EOFError, OSError):
            raise WorkerCrashed(self._death()) from None
        if status == "error":
            raise EngineError(payload)
        return payload

    def _death(self) -> str:
        assert self._proc is not None
        try:
            code = self._proc.wait(5)
        except subprocess.TimeoutExpired:
            self._kill()
            code = self._proc.returncode
        if code is not None and code < 0:
            try:
                how = f"signal {signal.Signals(-code).name}"
            except ValueError:
                how = f"signal {-code}"
        else:
            how = f"exit code {code}"
        return f"durable worker (pid {self._proc.pid}) died: {how}"

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)

    def restart(self) -> None:
        self.close()
        self._start()

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            try:
                self._proc.wait(2)
            except subprocess.TimeoutExpired:
                self._kill()
            self._proc = None

