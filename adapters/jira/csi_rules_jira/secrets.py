"""Secrets read from an environment variable or a file, and a wrapper that never prints them.

Config files name *where* a secret lives (`token_env`, `token_file`), never the secret itself, so
a config can be committed, logged and shown in error messages safely.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from csi_rules_jira.errors import JiraConfigError


class Secret:
    """A credential; `repr`/`str` show a mask so it cannot leak through logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        """The secret itself; call only where it goes on the wire."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


def read_secret(auth: Mapping[str, object], stem: str, environ: Mapping[str, str]) -> Secret:
    """The secret named by `<stem>_env` / `<stem>_file` in `auth`; a literal `<stem>` is refused."""
    if stem in auth:
        raise JiraConfigError(
            f"auth.{stem}: put the secret in an environment variable ({stem}_env) or a file "
            f"({stem}_file), never in the config"
        )
    env_name = auth.get(f"{stem}_env")
    file_name = auth.get(f"{stem}_file")
    if env_name and file_name:
        raise JiraConfigError(f"auth: give {stem}_env or {stem}_file, not both")
    if env_name:
        value = environ.get(str(env_name), "")
        if not value:
            raise JiraConfigError(f"auth.{stem}_env: environment variable {env_name} is not set")
        return Secret(value)
    if file_name:
        path = Path(str(file_name)).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise JiraConfigError(f"auth.{stem}_file: cannot read {path}: {exc.strerror}") from None
        if not value:
            raise JiraConfigError(f"auth.{stem}_file: {path} is empty")
        return Secret(value)
    raise JiraConfigError(f"auth: {stem}_env or {stem}_file is required")


def default_environ() -> Mapping[str, str]:
    return os.environ
