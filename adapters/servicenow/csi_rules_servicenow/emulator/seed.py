"""Load a seed directory: one `<table>.json` per table plus `instance.json` for instance settings.

A table file is a Table API list response (`{"result": [...]}`) or a bare list. Values may be
plain strings or display_value=all cells (`{"value", "display_value"}`); only values are kept,
since the emulator computes display values itself. `instance.json` holds what is not a table:
the priority lookup matrix, users' passwords and time zones, OAuth clients, rate-limit rules,
choice-label overrides and each table's column list.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from csi_rules_servicenow.emulator.ratelimit import RateLimitRule
from csi_rules_servicenow.emulator.security import OAuthClient, User
from csi_rules_servicenow.emulator.tables import CHOICES

MATRIX_5 = [[1, 2, 3], [2, 3, 4], [3, 4, 5]]


class SeedError(ValueError):
    """A seed directory the emulator cannot load; the message names the file."""


@dataclass
class InstanceSettings:
    priority_matrix: dict[tuple[str, str], str]
    users: list[User] = field(default_factory=list)
    oauth_clients: list[OAuthClient] = field(default_factory=list)
    rate_limits: list[RateLimitRule] = field(default_factory=list)
    choices: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    on_hold_requires_reason: bool = True


def default_seed() -> Traversable:
    return resources.files("csi_rules_servicenow.emulator").joinpath("seed")


def matrix(rows: list[list[int]]) -> dict[tuple[str, str], str]:
    """Impact (rows) x urgency (columns) -> priority, as strings keyed like stored values."""
    return {(str(i), str(u)): str(p) for i, row in enumerate(rows, 1)
            for u, p in enumerate(row, 1)}


def read_settings(seed: Traversable | Path) -> InstanceSettings:
    entry = seed.joinpath("instance.json")
    raw: dict[str, Any] = _read_json(entry) if entry.is_file() else {}
    choices = copy.deepcopy(CHOICES)
    for table, fields in raw.get("choices", {}).items():
        choices.setdefault(table, {}).update(fields)
    try:
        return InstanceSettings(
            priority_matrix=matrix(raw.get("priority_matrix", MATRIX_5)),
            users=[User(**u) for u in raw.get("users", [])],
            oauth_clients=[OAuthClient(**c) for c in raw.get("oauth_clients", [])],
            rate_limits=[RateLimitRule(**r) for r in raw.get("rate_limits", [])],
            choices=choices,
            columns=raw.get("columns", {}),
            on_hold_requires_reason=raw.get("on_hold_requires_reason", True),
        )
    except TypeError as exc:
        raise SeedError(f"{entry}: {exc}") from None


def read_tables(seed: Traversable | Path) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for entry in sorted(seed.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json") and entry.name != "instance.json":
            body = _read_json(entry)
            rows = body.get("result", []) if isinstance(body, dict) else body
            if not isinstance(rows, list):
                raise SeedError(f"{entry}: expected a list of records under 'result'")
            tables[entry.name[:-5]] = rows
    return tables


def _read_json(entry: Traversable | Path) -> Any:
    try:
        return json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError(f"{entry}: {exc}") from None
