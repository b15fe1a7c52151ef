"""Load a seed directory: one `<table>.json` per table plus `instance.json` for instance settings.

A table file is a Table API list response (`{"result": [...]}`) or a bare list. Values may be
plain strings or display_value=all cells (`{"value", "display_value"}`); only values are kept,
since the emulator computes display values itself. `<table>.<part>.json` adds rows to `<table>`
(the default seed keeps its hand-written demo entries in `*.demo.json`, apart from the rows the
build script writes). `instance.json` holds what is not a table: the priority lookup matrix,
users' passwords and time zones, OAuth clients, rate-limit rules, choice-label overrides and
each table's column list, and system `properties` (e.g. change.conflict.refresh.conflicts).

`shift_to_now` moves every seeded date-time by one offset so the newest record is an hour old:
real samples from 2015-2023 then look like a live instance, with their spacing kept.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    properties: dict[str, str] = field(default_factory=dict)


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
            properties={k: str(v).lower() if isinstance(v, bool) else str(v)
                        for k, v in raw.get("properties", {}).items()},
        )
    except TypeError as exc:
        raise SeedError(f"{entry}: {exc}") from None


def read_tables(seed: Traversable | Path) -> dict[str, list[dict[str, Any]]]:
    """Rows per table; `<table>.json` first, then each `<table>.<part>.json` in name order."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for entry in sorted(seed.iterdir(), key=lambda e: (e.name.split(".")[0], e.name.count("."),
                                                       e.name)):
        if entry.name.endswith(".json") and entry.name != "instance.json":
            body = _read_json(entry)
            rows = body.get("result", []) if isinstance(body, dict) else body
            if not isinstance(rows, list):
                raise SeedError(f"{entry}: expected a list of records under 'result'")
            tables.setdefault(entry.name.split(".")[0], []).extend(rows)
    return tables


DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
ANCHOR_COLUMNS = ("opened_at", "sys_created_on", "sys_updated_on")
EPOCH_YEAR = 1970  # glide_duration values are date-times in 1970: durations, never shifted
FORMAT = "%Y-%m-%d %H:%M:%S"


def _value(cell: Any) -> Any:
    return cell.get("value") if isinstance(cell, dict) else cell


def _date_time(cell: Any) -> datetime | None:
    value = _value(cell)
    if not isinstance(value, str) or not DATE_TIME.match(value):
        return None
    when = datetime.strptime(value, FORMAT).replace(tzinfo=UTC)
    return None if when.year <= EPOCH_YEAR else when


def shift_to_now(tables: dict[str, list[dict[str, Any]]], now: datetime,
                 lead: timedelta = timedelta(hours=1)) -> timedelta:
    """Move every date-time cell of every row (opened_at, sys_updated_on, resolved_at,
    start_date, sys_audit's sys_created_on, ...) by one whole-second offset, so the newest
    opened/created/updated value lands `lead` before `now`; returns the offset applied."""
    newest = max((when for rows in tables.values() for row in rows for column in ANCHOR_COLUMNS
                  if (when := _date_time(row.get(column))) is not None), default=None)
    if newest is None:
        return timedelta(0)
    offset = timedelta(seconds=int((now - lead - newest).total_seconds()))
    for rows in tables.values():
        for row in rows:
            for column, cell in row.items():
                when = _date_time(cell)
                if when is not None:
                    row[column] = (when + offset).strftime(FORMAT)
    return offset


def _read_json(entry: Traversable | Path) -> Any:
    try:
        return json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError(f"{entry}: {exc}") from None
