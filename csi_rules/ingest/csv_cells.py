"""One CSV row -> field values, through a CsvMapping: value maps, patterns, types, date formats.

The mapping is compiled once per file into one converter per field (no look-ups of mapping
configuration per cell), and a column's converted cells are cached by their text: exports
repeat the same few values (states, groups, priorities, times) on thousands of rows.

A cell that cannot be read raises CellError naming its column; the loader adds file:line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from csi_rules.ingest.date_cells import CACHE_LIMIT, DateCells, DateTimeError
from csi_rules.ingest.mapping import NO_VALUE, CsvMapping, FieldRule, Source
from csi_rules.safe_json import MAX_INTEGER_DIGITS

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_MISS: Any = object()
_FIXED = -2

Found = tuple[Any, str, str]  # (value, column, cell text)
Convert = Callable[[str], Any]  # cell text (stripped, null markers as "") -> value or None


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


class _CellValues(dict[str, Any]):
    """One column's cell text -> value, converted on first sight (`__missing__`) and then
    remembered, as `read` remembers it (not a list: a split cell gives each record its own)."""

    def __init__(self, convert: Convert, nulls: frozenset[str]):
        super().__init__()
        self.convert, self.nulls = convert, nulls

    def __missing__(self, cell: str) -> Any:
        text = cell.strip()
        value = self.convert("" if text in self.nulls else text)
        if type(value) is not list:
            if len(self) >= CACHE_LIMIT:
                self.clear()
            self[cell] = value
        return value


class _DateCellValues(dict[str, Any]):
    """`_CellValues` for every plain date-time column of a file at once, read by
    `DateCells.parse`, in one call a cell: a date-time column has the most distinct cells of
    an export (~130k on Rabobank's), and its columns share most of them (an actual start is
    often a planned start), so each text is read once for all of them. A cell that is not a
    date-time raises DateTimeError, which the reading field turns into its column's error."""

    def __init__(self, parse: Callable[[str], Any], nulls: frozenset[str], columns: int):
        super().__init__()
        self.parse, self.nulls, self.limit = parse, nulls, CACHE_LIMIT * columns

    def __missing__(self, cell: str) -> Any:
        text = cell.strip()
        value = None if text == "" or text in self.nulls else self.parse(text)
        if len(self) >= self.limit:
            self.clear()
        self[cell] = value
        return value


class _FirstOfValues(dict[tuple[str, ...], Any]):
    """A firstOf rule's (value, column, text) or None, by the raw texts of the cells it
    reads (its answer depends on nothing else), remembered unless the value is a list (each
    record gets its own); a cell that cannot be read raises CellError every time, as before."""

    def __init__(self, first: Callable[[Any], Found | None], positions: tuple[int, ...]):
        super().__init__()
        self.first, self.positions = first, positions

    def __missing__(self, cells: tuple[str, ...]) -> Found | None:
        found = self.first(dict(zip(self.positions, cells, strict=True)))  # row[position]
        if found is None or type(found[0]) is not list:
            if len(self) >= CACHE_LIMIT:
                self.clear()
            self[cells] = found
        return found


class RowReader:
    """Reads the mapped fields out of rows of one file (header positions known)."""

    def __init__(self, mapping: CsvMapping, positions: dict[str, int]):
        self.mapping = mapping
        self.positions = positions
        self.null_values = mapping.null_values
        self.dates = DateCells(mapping.date_formats, mapping.time_zone, mapping.name)
        self._cell_converters: dict[str, Convert] = {}  # field -> text converter (one column)
        self._date_columns: dict[str, str] = {}  # field -> its column, for plain date-times
        self._first_columns: dict[str, tuple[int, ...]] = {}  # firstOf field -> its cells
        self._plan = [self._compile(rule) for rule in mapping.rules]

    def read(self, row: Sequence[str]) -> dict[str, Found]:
        """field -> (value, column, cell text) for every rule that produced a value."""
        return self._read(row)

    @cached_property
    def _read(self) -> Callable[[Sequence[str]], dict[str, Found]]:
        """Generated on first use: the loaders read rows with `values`, and ask `read` only
        for a broken merge's column and text."""
        return self._unrolled()

    @property
    def fields(self) -> tuple[str, ...]:
        """The mapped fields in mapping order: the positions of `values`' tuple."""
        return tuple(field for field, *_ in self._plan)

    @cached_property
    def values(self) -> Callable[[Sequence[str]], tuple[Any, ...]]:
        """Like `read`, but only the values, one per field in `fields` order (None where the
        rule gave none): no dict and no (value, column, text) per cell, for loaders that keep
        many rows. The same cells are converted in the same order, so the same CellError is
        raised for a broken row."""
        return self._unrolled_values()

    def _unrolled_values(self) -> Callable[[Sequence[str]], tuple[Any, ...]]:
        names: dict[str, Any] = {"MISS": _MISS, "CellError": CellError,
                                 "DateTimeError": DateTimeError}
        lines = ["def values(row):"]
        # one column read by the very same converter (a module-level one: closures differ
        # per rule) is remembered once; plain date-time cells once for all their columns
        shared: dict[tuple[int, Any], dict[str, Any]] = {}
        dates = _DateCellValues(self.dates.parse, self.null_values, len(self._date_columns))
        for i, (field, position, _cache, convert, missing) in enumerate(self._plan):
            names[f"missing{i}"] = missing
            if position == _FIXED:
                names[f"fixed{i}"] = None if convert is None else convert[0]
                if convert is None and missing is not None:
                    lines.append(f"    raise CellError(*missing{i})")
                lines.append(f"    v{i} = fixed{i}")
                continue
            column = self._date_columns.get(field)
            if position >= 0 and column is not None:  # as datetime_or_none reads it
                names[f"cells{i}"] = dates
                lines += ["    try:",
                          f"        v{i} = cells{i}[row[{position}]]",
                          "    except DateTimeError as exc:",
                          f"        raise CellError({column!r}, str(exc)) from None"]
            elif position >= 0:  # a remembered cell is one subscript; a new one converted
                convert = self._cell_converters[field]
                cells = shared.get((position, convert))  # e.g. id and number from one column
                if cells is None:
                    cells = shared[(position, convert)] = _CellValues(convert, self.null_values)
                names[f"cells{i}"] = cells
                lines.append(f"    v{i} = cells{i}[row[{position}]]")
            else:  # firstOf: remembered by the texts of the cells it reads
                at = self._first_columns[field]
                names[f"firsts{i}"] = _FirstOfValues(convert, at)
                lines += [f"    v{i} = firsts{i}[({''.join(f'row[{p}], ' for p in at)})]",
                          f"    if v{i} is not None:",
                          f"        v{i} = v{i}[0]"]
            if missing is not None:
                lines += [f"    if v{i} is None:", f"        raise CellError(*missing{i})"]
        lines.append(f"    return ({''.join(f'v{i}, ' for i in range(len(self._plan)))})")
        exec(compile("\n".join(lines), f"<mapping {self.mapping.name} values>", "exec"), names)
        return names.pop("values")  # not kept in its own globals: no reference cycle

    def _unrolled(self) -> Callable[[Sequence[str]], dict[str, Found]]:
        """`read` as one generated function, a few lines per field in mapping order (a loop
        over the fields costs about half as much again on a 36-column export)."""
        names: dict[str, Any] = {"MISS": _MISS, "CellError": CellError}
        lines = ["def read(row):", "    out = {}"]
        for i, (field, position, cache, convert, missing) in enumerate(self._plan):
            names[f"cached{i}"], names[f"convert{i}"] = cache.get, convert
            names[f"missing{i}"] = missing
            if position == _FIXED:  # constants only: the same value on every row
                if convert is not None:
                    lines.append(f"    out[{field!r}] = convert{i}")
                elif missing is not None:
                    lines.append(f"    raise CellError(*missing{i})")
                continue
            if position >= 0:
                lines += [f"    cell = row[{position}]",
                          f"    found = cached{i}(cell, MISS)",
                          "    if found is MISS:",
                          f"        found = convert{i}(cell)"]
            else:
                lines.append(f"    found = convert{i}(row)")
            lines += ["    if found is not None:", f"        out[{field!r}] = found"]
            if missing is not None:
                lines += ["    else:", f"        raise CellError(*missing{i})"]
        lines.append("    return out")
        exec(compile("\n".join(lines), f"<mapping {self.mapping.name}>", "exec"), names)
        return names.pop("read")  # not kept in its own globals: no reference cycle

    def _compile(self, rule: FieldRule) -> tuple[str, int, dict[str, Any], Any,
                                                 tuple[str, str] | None]:
        """(field, column position or -1, cache, converter, error when missing) for `rule`;
        a rule of constants alone has position _FIXED and its (value, column, text) or None
        in place of the converter."""
        missing = None
        if rule.required:
            columns = "/".join(s.column for s in rule.sources if s.column) or rule.field
            missing = (columns, f"empty, but the mapping requires {rule.field}")
        cache: dict[str, Any] = {}
        sources = rule.sources
        if all(s.constant is not NO_VALUE for s in sources):
            return rule.field, _FIXED, cache, self._first_of(rule)(()), missing
        if len(sources) == 1 and sources[0].column is not None:
            convert = self._converter(rule, sources[0])
            self._cell_converters[rule.field] = convert
            if getattr(convert, "reads_date_time", False):
                self._date_columns[rule.field] = str(sources[0].column)
            return (rule.field, self.positions[sources[0].column], cache,
                    self._cached_cell(sources[0].column, convert, cache), missing)
        self._first_columns[rule.field] = tuple(
            self.positions[s.column] for s in sources if s.constant is NO_VALUE and s.column)
        return rule.field, -1, cache, self._first_of(rule), missing

    def _cached_cell(self, column: str, convert: Convert,
                     cache: dict[str, Any]) -> Callable[[str], Found | None]:
        """The (value, column, text) of one raw cell, remembered unless the value is a list
        (a split cell: each record gets its own)."""
        nulls = self.null_values

        def read_cell(cell: str) -> Found | None:
            text = cell.strip()
            if text in nulls:
                text = ""
            value = convert(text)
            found = None if value is None else (value, column, text)
            if type(value) is not list:
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                cache[cell] = found
            return found
        return read_cell

    def _first_of(self, rule: FieldRule) -> Callable[[Sequence[str]], Found | None]:
        """The first source giving a value: constants as written, columns converted."""
        nulls = self.null_values
        steps: list[tuple[Any, int, str, Convert | None]] = []
        for source in rule.sources:
            if source.constant is not NO_VALUE:
                steps.append((source.constant, -1, "", None))
            else:
                assert source.column is not None
                steps.append((None, self.positions[source.column], source.column,
                              self._converter(rule, source)))

        def first(row: Sequence[str]) -> Found | None:
            for constant, position, column, convert in steps:
                if convert is None:
                    if constant is not None:
                        return constant, "(constant)", repr(constant)
                    continue
                text = row[position].strip()
                if text in nulls:
                    text = ""
                value = convert(text)
                if value is not None:
                    return value, column, text
            return None
        return first

    def _converter(self, rule: FieldRule, source: Source) -> Convert:
        """Cell text -> value (None for no value) for one column source of `rule`."""
        column = source.column or rule.field
        values, default = source.values, source.default
        if values is not None:
            def mapped(text: str) -> Any:
                value = values.get(text, _MISS)
                if value is not _MISS:
                    return value
                if text == "":
                    return None
                if default is not NO_VALUE:
                    return default
                raise CellError(column, f"{text!r} is not in the value map for {rule.field} "
                                        f"(known: {_known(values)})")
            return mapped
        typed = self._typed(rule, column)
        if not source.patterns and rule.type == "datetime":
            return self._datetime_or_none(column)
        if not source.patterns and typed is _as_text:
            return _text_or_none
        if source.patterns:
            patterns = source.patterns
            seen: dict[str, Any] = {}  # cell text -> value: RE2 runs once per distinct text

            def matched(text: str) -> Any:
                if text in seen:
                    return seen[text]
                if text == "":
                    return None
                value = next((value for pattern, value in patterns if pattern.search(text)),
                             default)
                if value is NO_VALUE:
                    raise CellError(column, f"{text!r} matches none of the patterns for "
                                            f"{rule.field}")
                if len(seen) < CACHE_LIMIT:
                    seen[text] = value
                return value
            return matched

        def present(text: str) -> Any:
            return None if text == "" else typed(text)
        return present

    def _datetime_or_none(self, column: str) -> Convert:
        """`present(as_datetime)` in one call: read for every new date-time text."""
        parse = self.dates.parse

        def datetime_or_none(text: str) -> Any:
            if text == "":
                return None
            try:
                return parse(text)
            except DateTimeError as exc:
                raise CellError(column, str(exc)) from None
        datetime_or_none.reads_date_time = True  # type: ignore[attr-defined]  # _DateCellValues may stand in
        return datetime_or_none

    def _typed(self, rule: FieldRule, column: str) -> Convert:
        """Non-empty cell text -> a value of the rule's type."""
        kind = rule.type
        if kind == "datetime":
            parse = self.dates.parse

            def as_datetime(text: str) -> Any:
                try:
                    return parse(text)
                except DateTimeError as exc:
                    raise CellError(column, str(exc)) from None
            return as_datetime
        if kind in ("integer", "number"):
            cast, what = (int, "a whole number") if kind == "integer" else (float, "a number")
            shape = _INTEGER if kind == "integer" else _NUMBER

            def as_number(text: str) -> Any:
                # strict: Python's int()/float() also take '1_0', 'nan', 'inf' and digits
                # past what any record may hold (safe_json's limit)
                literal = text.strip()
                if shape.fullmatch(literal):
                    value = cast(literal)
                    if math.isfinite(value):  # 1e999 reads as inf
                        return value
                raise CellError(column, f"{_quoted(text)} is not {what}")
            return as_number
        if kind == "boolean":
            def as_boolean(text: str) -> Any:
                lowered = text.lower()
                if lowered in _TRUE or lowered in _FALSE:
                    return lowered in _TRUE
                raise CellError(column, f"{text!r} is not a yes/no value (map it with values:)")
            return as_boolean
        split = rule.split
        if split:
            def as_list(text: str) -> Any:
                return [part.strip() for part in text.split(split) if part.strip()]
            return as_list
        return _as_text


_WHOLE = f"[0-9]{{1,{MAX_INTEGER_DIGITS - 1}}}"  # digits before any point: safe_json's limit
_INTEGER = re.compile(f"[+-]?{_WHOLE}")
_NUMBER = re.compile(f"[+-]?(?:{_WHOLE}(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]{{1,3}})?")


def _quoted(text: str, limit: int = 60) -> str:
    """The cell for an error message, cut short: a 5,000-character cell is not echoed whole."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text)} characters)"


def _as_text(text: str) -> str:
    return text


def _text_or_none(text: str) -> str | None:
    return None if text == "" else text
