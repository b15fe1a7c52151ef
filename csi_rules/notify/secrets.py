"""Credentials of a channel: `<name>_env` (an environment variable) or `<name>_file`, never the
value itself in a config file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from csi_rules.errors import UsageError


def secret_schema(name: str, description: str) -> dict[str, Any]:
    return {f"{name}_env": {"type": "string", "minLength": 1,
                            "description": f"environment variable holding the {description}"},
            f"{name}_file": {"type": "string", "minLength": 1,
                             "description": f"file holding the {description}"}}


def read_secret(settings: Mapping[str, Any], name: str, environ: Mapping[str, str], *,
                required: bool = True) -> str:
    """The secret `name` of a channel; a missing one is a one-line error naming where it was
    looked for (never its value)."""
    env, file = settings.get(f"{name}_env"), settings.get(f"{name}_file")
    if env and file:
        raise UsageError(f"give one of {name}_env or {name}_file, not both")
    if env:
        value = environ.get(env, "")
        if not value:
            raise UsageError(f"environment variable {env} ({name}) is not set")
        return value
    if file:
        try:
            return Path(file).expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"cannot read {name}_file {file}: {exc.strerror}") from None
    if required:
        raise UsageError(f"{name}_env or {name}_file is required")
    return ""
