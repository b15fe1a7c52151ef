"""A throw-away PostgreSQL server for the tests: initdb into a temp directory, pg_ctl on a
free loopback port, password authentication (scram) so the store's credential path is used.

Run as root (CI containers), initdb and postgres refuse to start; the server then runs as the
`postgres` system user (or `nobody`) through setpriv. Tests skip only when the server
binaries are missing.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PASSWORD = "csi-test-password"  # a throw-away server on loopback, deleted after the session
USER = "csi"
MISSING = [b for b in ("initdb", "pg_ctl") if shutil.which(b) is None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["setpriv", f"--reuid={name}", f"--regid={pwd.getpwnam(name).pw_gid}",
                "--clear-groups"]
    raise RuntimeError("running as root with no postgres/nobody user to run PostgreSQL as")


class PgServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="csi-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._prefix = _run_as()
        self._names = itertools.count(1)
        if self._prefix:
            uid = pwd.getpwnam(self._prefix[1].split("=", 1)[1]).pw_uid
            os.chown(self.root, uid, -1)
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD)
        if self._prefix:
            os.chown(pwfile, uid, -1)
        self._pg("initdb", "-D", str(self.data), "-U", USER, f"--pwfile={pwfile}",
                 "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
        self.start()

    def _pg(self, *args: str) -> None:
        done = subprocess.run([*self._prefix, *args], capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr or done.stdout}")

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200")
        self._pg("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                 "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "stop", "-w", "-t", "60", "-D", str(self.data), "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its DSN (the password is PASSWORD)."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.dsn(), password=PASSWORD, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.dsn(name)

    def close(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
