"""Aggregate API: GET /api/now/[v1/]stats/{table} (counts, avg/min/max/sum, group by).

Parameters as the Aggregate API documents them: `sysparm_query`, `sysparm_count`,
`sysparm_group_by`, `sysparm_avg_fields`, `sysparm_min_fields`, `sysparm_max_fields`,
`sysparm_sum_fields`, `sysparm_display_value` (group values as labels), `sysparm_having` and
`sysparm_order_by` (stats_groups.py), and name=value pairs in place of `sysparm_query` as on the
Table API (c_AggregateAPI.md). Without a group-by the answer is `{"result": {"stats": {...}}}`
(a `sysparm_having` the whole set fails gives empty `stats`, *unverified*), with one a list of
`{"stats": {...}, "groupby_fields": [{"field", "value"}]}`, by value unless ordered. Every
number is a string; an average has four decimals (the doc's sample).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from csi_rules_servicenow.emulator import sla
from csi_rules_servicenow.emulator.query import parse_query
from csi_rules_servicenow.emulator.render import display_value, getter
from csi_rules_servicenow.emulator.stats_groups import (
    StatsParamError,
    keep,
    ordered,
    parse_having,
    parse_order,
)
from csi_rules_servicenow.emulator.store import Row, Store

ROUTE = re.compile(r"^/api/now/(?:v1/)?stats/([A-Za-z0-9_]+)/?$")
Answer = tuple[int, dict[str, str], Any]
_AGGREGATES = ("avg", "min", "max", "sum")


def _error(message: str, detail: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class StatsApi:
    def __init__(self, store: Store):
        self.store = store

    def handle(self, method: str, table: str, params: dict[str, list[str]]) -> Answer:
        if method not in ("GET", "HEAD"):
            return 405, {}, _error("Method not Supported", f"{method} is not supported here")
        if not self.store.has_table(table):
            return 400, {}, _error(f"Invalid table {table}", f"Table {table} does not exist")

        def param(name: str) -> str:
            return params.get(name, [""])[0]

        fields = {kind: [f for f in param(f"sysparm_{kind}_fields").split(",") if f]
                  for kind in _AGGREGATES}
        group_by = [f for f in param("sysparm_group_by").split(",") if f]
        display = param("sysparm_display_value").lower()
        try:
            having = parse_having(param("sysparm_having"))
            order = parse_order(param("sysparm_order_by"))
        except StatsParamError as exc:
            return 400, {}, _error(str(exc), None)
        text = param("sysparm_query") or "^".join(   # name=value pairs stand in for the query
            f"{k}={v[0]}" for k, v in params.items() if not k.startswith("sysparm_"))
        store = self.store
        with store.lock:
            if table == sla.TABLE:
                sla.refresh(store, store.clock())
            query = parse_query(text, now=store.clock())
            rows = [r for r in store.rows(table) if query.matches(getter(store, r))]
            count = param("sysparm_count").lower() == "true"
            if not group_by:
                stats = self._stats(rows, count, fields) if keep(rows, having, _aggregate) else {}
                return 200, {}, {"result": {"stats": stats}}
            groups: dict[tuple[str, ...], list[Row]] = {}
            for row in rows:
                groups.setdefault(tuple(row.get(f, "") for f in group_by), []).append(row)
            kept = [groups[key] for key in sorted(groups) if keep(groups[key], having, _aggregate)]
            result = [{"stats": self._stats(members, count, fields),
                       "groupby_fields": [self._group_field(table, members[0], f,
                                                            members[0].get(f, ""), display)
                                          for f in group_by]}
                      for members in ordered(kept, order, _aggregate)]
        return 200, {}, {"result": result}

    def _group_field(self, table: str, row: Row, name: str, value: str,
                     display: str) -> dict[str, Any]:
        if display not in ("true", "all"):
            return {"field": name, "value": value}
        shown = display_value(self.store, table, row, name, value, "UTC") or ""
        if display == "true":
            return {"field": name, "value": shown}
        return {"field": name, "value": value, "display_value": shown}

    @staticmethod
    def _stats(rows: list[Row], count: bool, fields: dict[str, list[str]]) -> dict[str, Any]:
        stats: dict[str, Any] = {}
        if count:
            stats["count"] = str(len(rows))
        for kind, names in fields.items():
            if names:
                stats[kind] = {name: _aggregate(kind, [r.get(name, "") for r in rows])
                               for name in names}
        return stats


def _aggregate(kind: str, values: list[str]) -> str:
    numbers = [n for n in map(_number, values) if n is not None]
    if kind in ("min", "max"):
        chooser: Callable[..., Any] = min if kind == "min" else max
        if numbers and len(numbers) == len([v for v in values if v]):
            best = chooser(numbers)
            return str(int(best)) if best.is_integer() else str(best)
        present = [v for v in values if v]
        return chooser(present) if present else ""
    if not numbers:
        return ""
    if kind == "sum":
        total = float(sum(numbers))
        return str(int(total)) if total.is_integer() else str(total)
    return f"{sum(numbers) / len(numbers):.4f}"
