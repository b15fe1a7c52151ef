"""Date-time cells: text in a mapping's `dateFormats` (or ISO 8601) to aware datetimes, cached.

Exports repeat the same instants on many rows (the UCI log names ~140k times, most of them
more than once), so each distinct text is parsed once. A format made only of %d %m %Y %H %M %S
and plain separators is read by a regular expression built to accept a subset of what
`datetime.strptime` accepts, giving the same value; any other text or format goes to
`strptime` itself, so what is accepted or refused never changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

CACHE_LIMIT = 1 << 17
"""Distinct texts kept; the cache starts over when full (bounded memory on huge files)."""

# strptime's own patterns for these directives, with [0-9] for its \d (which takes any Unicode
# digit) and without its " 1" (space-padded day) form: a strict subset, tried in its order.
_DIRECTIVES = {
    "d": "3[01]|[12][0-9]|0[1-9]|[1-9]",
    "m": "1[0-2]|0[1-9]|[1-9]",
    "Y": "[0-9][0-9][0-9][0-9]",
    "H": "2[0-3]|[0-1][0-9]|[0-9]",
    "M": "[0-5][0-9]|[0-9]",
    "S": "[0-5][0-9]|[0-9]",
}
_FIELDS = ("Y", "m", "d", "H", "M", "S")
_PIECE = re.compile(r"%(.)|([^%])")


class DateTimeError(ValueError):
    """A cell that is not a date-time in any of the formats; the message is ready to show."""


def fast_pattern(fmt: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """A regex and the directive of each group for `fmt`, or None when `fmt` needs strptime."""
    parts, order = [], []
    position = 0
    for match in _PIECE.finditer(fmt):
        if match.start() != position:
            return None
        position = match.end()
        directive, literal = match.groups()
        if directive is not None:
            if directive not in _DIRECTIVES or directive in order:
                return None
            parts.append(f"({_DIRECTIVES[directive]})")
            order.append(directive)
        elif literal.isspace() and literal != " ":
            return None  # strptime reads whitespace as \s+; leave such formats to it
        else:
            parts.append(re.escape(literal))
    if position != len(fmt) or not {"Y", "m", "d"} <= set(order):
        return None
    return re.compile("".join(parts)), tuple(order)


def _fast_parser(fmt: str) -> Callable[[str], datetime | None] | None:
    """A parser giving strptime's value for the texts it accepts and None for the rest."""
    found = fast_pattern(fmt)
    if found is None:
        return None
    pattern, order = found
    match = pattern.match  # re.match, as strptime (then the whole text must be used)

    def parse(text: str) -> datetime | None:
        m = match(text)
        if m is None or m.end() != len(text):
            return None
        parts = dict(zip(order, map(int, m.groups()), strict=True))
        try:
            return datetime(*(parts.get(f, 0) for f in _FIELDS))  # type: ignore[arg-type]
        except ValueError:
            return None  # e.g. 31/2: strptime gives the refusal
    return parse


class DateCells:
    """Parses date-time cells for one mapping: its formats, in order, then its time zone."""

    def __init__(self, formats: tuple[str, ...], zone_name: str | None, mapping_name: str):
        self.formats = formats
        self.zone = ZoneInfo(zone_name) if zone_name else None
        self.mapping_name = mapping_name
        self._fast = [_fast_parser(f) for f in formats]
        self._cache: dict[str, datetime] = {}

    def parse(self, text: str) -> datetime:
        """The aware datetime for `text`; DateTimeError says why not."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        value = self._naive_or_aware(text)
        if value.tzinfo is None:
            if self.zone is None:
                raise DateTimeError(f"{text!r} has no UTC offset; set timeZone in the "
                                    f"mapping {self.mapping_name}")
            # Fixed offset, as parse_record gives for ISO text: a zoneinfo datetime on an
            # ambiguous hour (fold) never compares equal to the same instant elsewhere.
            local = value.replace(tzinfo=self.zone)
            value = local.astimezone(timezone(local.utcoffset() or timedelta(0)))
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = value
        return value

    def _naive_or_aware(self, text: str) -> datetime:
        for fmt, fast in zip(self.formats, self._fast, strict=True):
            if fast is not None:
                value = fast(text)
                if value is not None:
                    return value
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        if not self.formats:
            with suppress(ValueError):
                return datetime.fromisoformat(text)
        wanted = " or ".join(self.formats) or "ISO 8601"
        raise DateTimeError(f"{text!r} is not a date-time in the format {wanted}")
