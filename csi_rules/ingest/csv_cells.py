"""One CSV row -> field values, through a CsvMapping: value maps, patterns, types, date formats.

A cell that cannot be read raises CellError naming its column; the loader adds file:line.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules.ingest.mapping import NO_VALUE, CsvMapping, FieldRule, Source

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


class CellError(Exception):
    """A cell the mapping cannot turn into a value."""

    def __init__(self, column: str, message: str):
        self.column = column
        self.message = message
        super().__init__(f"column {column}: {message}")


def _known(values: dict[str, Any]) -> str:
    keys = sorted(values)
    shown = ", ".join(repr(k) for k in keys[:8])
    return shown + (f", ... ({len(keys)} in all)" if len(keys) > 8 else "")


class RowReader:
    """Reads the mapped fields out of rows of one file (header positions known)."""

    def __init__(self, mapping: CsvMapping, positions: dict[str, int]):
        self.mapping = mapping
        self.positions = positions
        self.zone = ZoneInfo(mapping.time_zone) if mapping.time_zone else None
        self.null_values = mapping.null_values
        self._dates: dict[str, datetime] = {}

    def read(self, row: Sequence[str]) -> dict[str, tuple[Any, str, str]]:
        """field -> (value, column, cell text) for every rule that produced a value."""
        out = {}
        for rule in self.mapping.rules:
            found = self._first_value(rule, row)
            if found is None:
                if rule.required:
                    columns = "/".join(s.column for s in rule.sources if s.column) or rule.field
                    raise CellError(columns, f"empty, but the mapping requires {rule.field}")
                continue
            out[rule.field] = found
        return out

    def _first_value(self, rule: FieldRule, row: Sequence[str]) -> tuple[Any, str, str] | None:
        for source in rule.sources:
            if source.constant is not NO_VALUE:
                if source.constant is not None:
                    return source.constant, "(constant)", repr(source.constant)
                continue
            assert source.column is not None
            text = row[self.positions[source.column]].strip()
            if text in self.null_values:
                text = ""
            value = self._cell(rule, source, text)
            if value is not None:
                return value, source.column, text
        return None

    def _cell(self, rule: FieldRule, source: Source, text: str) -> Any:
        column = source.column or rule.field
        if source.values is not None:
            if text in source.values:
                return source.values[text]
            if text == "":
                return None
            if source.default is not NO_VALUE:
                return source.default
            raise CellError(column, f"{text!r} is not in the value map for {rule.field} "
                                    f"(known: {_known(source.values)})")
        if text == "":
            return None
        if source.patterns:
            for pattern, value in source.patterns:
                if pattern.search(text):
                    return value
            if source.default is not NO_VALUE:
                return source.default
            raise CellError(column, f"{text!r} matches none of the patterns for {rule.field}")
        return self._typed(rule, column, text)

    def _typed(self, rule: FieldRule, column: str, text: str) -> Any:
        kind = rule.type
        if kind == "datetime":
            return self._datetime(column, text)
        if kind == "integer":
            try:
                return int(text)
            except ValueError:
                raise CellError(column, f"{text!r} is not a whole number") from None
        if kind == "number":
            try:
                return float(text)
            except ValueError:
                raise CellError(column, f"{text!r} is not a number") from None
        if kind == "boolean":
            lowered = text.lower()
            if lowered in _TRUE or lowered in _FALSE:
                return lowered in _TRUE
            raise CellError(column, f"{text!r} is not a yes/no value (map it with values:)")
        if rule.split:
            return [part.strip() for part in text.split(rule.split) if part.strip()]
        return text

    def _datetime(self, column: str, text: str) -> datetime:
        cached = self._dates.get(text)
        if cached is not None:
            return cached
        value = None
        for fmt in self.mapping.date_formats:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if not self.mapping.date_formats:
            with suppress(ValueError):
                value = datetime.fromisoformat(text)
        if value is None:
            wanted = " or ".join(self.mapping.date_formats) or "ISO 8601"
            raise CellError(column, f"{text!r} is not a date-time in the format {wanted}")
        if value.tzinfo is None:
            if self.zone is None:
                raise CellError(column, f"{text!r} has no UTC offset; set timeZone in the "
                                        f"mapping {self.mapping.name}")
            # Fixed offset, as parse_record gives for ISO text: a zoneinfo datetime on an
            # ambiguous hour (fold) never compares equal to the same instant elsewhere.
            local = value.replace(tzinfo=self.zone)
            value = local.astimezone(timezone(local.utcoffset() or timedelta(0)))
        self._dates[text] = value
        return value
