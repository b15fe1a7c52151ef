"""Secrets from environment variables or files, held so that they cannot leak by accident.

Config names where a secret lives (`password_env: SN_PASSWORD`, `password_file: /run/secrets/sn`),
never the secret itself. A `Secret` prints as `<secret from env SN_PASSWORD>`; only
`reveal()` gives the value, and only the auth code calls it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from csi_rules_servicenow.errors import ServiceNowConfigError


class Secret:
    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        self._value = value
        self.source = source

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"<secret from {self.source}>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("secrets are not picklable")


def resolve_secret(spec: Mapping[str, Any], name: str, environ: Mapping[str, str],
                   where: str = "auth") -> Secret:
    """The secret `name` of an auth block: from `<name>_env` or `<name>_file`, never literal."""
    if name in spec:
        raise ServiceNowConfigError(
            f"{where}.{name}: secrets may not be written in the config; name an environment "
            f"variable ({name}_env) or a file ({name}_file) instead")
    if f"{name}_env" in spec:
        variable, value = _from_env(spec, name, environ, where)
        return Secret(value, f"env {variable}")
    if f"{name}_file" in spec:
        path = Path(str(spec[f"{name}_file"]))
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ServiceNowConfigError(
                f"{where}.{name}_file: cannot read {path}: {exc.strerror}") from None
        if not value:
            raise ServiceNowConfigError(f"{where}.{name}_file: {path} is empty")
        return Secret(value, f"file {path}")
    raise ServiceNowConfigError(f"{where}: give {name}_env or {name}_file")


def resolve_plain(spec: Mapping[str, Any], name: str, environ: Mapping[str, str],
                  where: str = "auth") -> str:
    """A non-secret identifier (user name, client id): literal, or from `<name>_env`."""
    if name in spec:
        return str(spec[name])
    if f"{name}_env" in spec:
        return _from_env(spec, name, environ, where)[1]
    raise ServiceNowConfigError(f"{where}: give {name} or {name}_env")


def _from_env(spec: Mapping[str, Any], name: str, environ: Mapping[str, str],
              where: str) -> tuple[str, str]:
    """(variable, value) for `<name>_env`; a variable that is unset or empty is an error."""
    variable = str(spec[f"{name}_env"])
    value = environ.get(variable)
    if not value:
        raise ServiceNowConfigError(
            f"{where}.{name}_env: environment variable {variable} is not set")
    return variable, value
