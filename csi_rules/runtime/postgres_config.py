"""Which state store a runner config names, and opening it.

`state.store: postgresql://user@host:5432/db` selects the PostgreSQL store (the password from
`state.passwordEnv` or `state.passwordFile`, or libpq's own PGPASSWORD / ~/.pgpass); without
it the SQLite file `state.database` stays the store. psycopg is imported only when a
PostgreSQL store is opened, so the SQLite default needs no extra package.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csi_rules.errors import UsageError
from csi_rules.sla.durations import DURATION_SCHEMA, parse_duration

if TYPE_CHECKING:
    from csi_rules.runtime.config import RunnerConfig
    from csi_rules.runtime.store import Store

STATE_PROPERTIES: dict[str, Any] = {
    "store": {"type": "string", "pattern": "^postgres(ql)?://",
              "description": "postgresql://user@host:port/database: share the state (and the "
              "work) between runners on PostgreSQL; default: the SQLite file `database`"},
    "passwordEnv": {"type": "string", "minLength": 1,
                    "description": "environment variable holding the PostgreSQL password"},
    "passwordFile": {"type": "string", "minLength": 1,
                     "description": "file holding the PostgreSQL password (relative to this "
                     "file)"},
    "partitions": {"type": "integer", "minimum": 1, "maximum": 4096,
                   "description": "ticket partitions shared out between runners (default 16; "
                   "fixed when the database is first used)"},
    "lease": {**DURATION_SCHEMA, "description": "how long a runner's partition leases last "
              "without renewal: a dead runner's tickets move after about this long "
              "(default 15s)"},
}


@dataclass(frozen=True)
class StoreConfig:
    url: str = ""
    password_env: str = ""
    password_file: str = ""
    partitions: int = 16
    lease: float = 15.0

    def password(self, environ: Mapping[str, str]) -> str | None:
        if self.password_env:
            if self.password_env not in environ:
                raise UsageError(f"state.passwordEnv: {self.password_env} is not set")
            return environ[self.password_env]
        if self.password_file:
            try:
                return Path(self.password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise UsageError(f"state.passwordFile: cannot read it ({exc.strerror})") from None
        return None


def store_config(state: Mapping[str, Any], resolve: Callable[[str], str]) -> StoreConfig:
    return StoreConfig(url=state.get("store", ""), password_env=state.get("passwordEnv", ""),
                       password_file=resolve(state["passwordFile"])
                       if "passwordFile" in state else "",
                       partitions=int(state.get("partitions", 16)),
                       lease=parse_duration(state.get("lease", 15)))


def worker_id() -> str:
    """This runner's name in the lease table: host, process and a random suffix (a restarted
    process never inherits its predecessor's leases)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def open_store(config: RunnerConfig, *, worker: str | None = None,
               environ: Mapping[str, str] | None = None) -> Store:
    """The config's store; `worker` (runners only) takes part in work sharing."""
    spec = config.store
    if not spec.url:
        from csi_rules.runtime.sqlite_store import SqliteStore

        return SqliteStore(config.database)
    try:
        from csi_rules.runtime.postgres_store import PostgresStore
    except ImportError:
        raise UsageError("state.store is PostgreSQL but psycopg is not installed: "
                         "pip install 'csi-rules[postgresql]'") from None
    return PostgresStore(spec.url, password=spec.password(os.environ if environ is None
                                                          else environ),
                         worker=worker, partitions=spec.partitions, lease=spec.lease)


def open_existing_store(config: RunnerConfig) -> Store:
    """For read-mostly commands (status, log): never creates a SQLite file."""
    if not config.store.url:
        from csi_rules.runtime.sqlite_store import open_existing

        return open_existing(config.database)
    return open_store(config)
