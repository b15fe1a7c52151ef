"""KPI series points read from JSON lines: {period, metric, value, <key fields>}."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from csi_rules import safe_json
from csi_rules.errors import RecordError, UsageError


@dataclass(frozen=True)
class Point:
    """One KPI value for one period (identified by its first day) of one series."""

    metric: str
    period: date
    value: float
    labels: dict[str, Any]
    line: int


def read_points(path: str) -> list[Point]:
    """Every point in a JSON-lines file; a broken line stops with file:line and the reason.

    Hostile input is refused like records are (csi_rules.safe_json: strict UTF-8, bounded
    depth and numbers), and lines are split on "\n" only: U+2028 in a string is text."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read KPI series {path}: {exc.strerror}") from None
    items = []
    for n, line in enumerate(safe_json.decode_utf8(data, path).split("\n"), 1):
        if line.strip():
            try:
                items.append((n, safe_json.loads(line)))
            except json.JSONDecodeError as exc:
                why = exc.msg if isinstance(exc, safe_json.JsonRefused) else \
                    f"not valid JSON: {exc.msg}"
                raise RecordError(f"{path}:{n}: {why} (column {exc.colno})") from None
    return parse_points(items, path)


def parse_points(items: Iterable[tuple[int, Any]], name: str) -> list[Point]:
    """Points from (line, object) pairs, checked one by one."""
    points = []
    for n, obj in items:
        try:
            if not isinstance(obj, dict):
                raise ValueError("a point must be a JSON object")
            value = obj["value"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"value must be a number, got {value!r}")
            points.append(Point(str(obj["metric"]), date.fromisoformat(str(obj["period"])),
                                float(value),
                                {k: v for k, v in obj.items()
                                 if k not in ("metric", "period", "value")}, n))
        except KeyError as exc:
            raise RecordError(f"{name}:{n}: missing {exc.args[0]!r}") from None
        except ValueError as exc:
            raise RecordError(f"{name}:{n}: {exc}") from None
    return points
