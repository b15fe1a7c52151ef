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
from typing import Any
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


def _fast_parser(fmt: str, zone: ZoneInfo | None = None,
                 offsets: dict[timedelta, timezone] | None = None,
                 ) -> Callable[[str], datetime | None] | None:
    """A parser giving strptime's value for the texts it accepts and None for the rest; with
    `zone`, that value already placed on its fixed offset in `zone` as `DateCells.parse`
    places it (one datetime made from the parts, not one made again from another)."""
    found = fast_pattern(fmt)
    if found is None:
        return None
    pattern, order = found
    # datetime(Y, m, d, H, M, S) straight from the groups (a missing time part is 0)
    parts = ", ".join(f"int(g[{order.index(f)}])" if f in order else "0" for f in _FIELDS)
    names: dict[str, Any] = {"match": pattern.match, "datetime": datetime}
    if zone is None:
        made = [f"        return datetime({parts})\n"]
    else:
        names.update(utcoffset=zone.utcoffset, offsets=offsets, timezone=timezone,
                     ZERO=timedelta(0))
        made = [f"        t = ({parts})\n",
                "        naive = datetime(*t)\n"]
    exec(compile("def parse(text):\n"
                 "    m = match(text)\n"  # re.match, as strptime (the whole text must be used)
                 "    if m is None or m.end() != len(text):\n"
                 "        return None\n"
                 "    g = m.groups()\n"
                 "    try:\n"
                 + "".join(made) +
                 "    except ValueError:\n"
                 "        return None\n"  # e.g. 31/2: strptime gives the refusal
                 + ("" if zone is None else
                    "    offset = utcoffset(naive) or ZERO\n"
                    "    fixed = offsets.get(offset)\n"
                    "    if fixed is None:\n"
                    "        fixed = offsets[offset] = timezone(offset)\n"
                    "    return datetime(*t, 0, fixed)\n"),
                 f"<date format {fmt!r}>", "exec"), names)
    return names.pop("parse")  # not kept in its own globals: no reference cycle


class DateCells:
    """Parses date-time cells for one mapping: its formats, in order, then its time zone."""

    def __init__(self, formats: tuple[str, ...], zone_name: str | None, mapping_name: str):
        self.formats = formats
        self.zone = ZoneInfo(zone_name) if zone_name else None
        self.mapping_name = mapping_name
        self._cache: dict[str, datetime] = {}
        self._offsets: dict[timedelta, timezone] = {}
        self._fast = [_fast_parser(f) for f in formats]
        # the first format's quick reader, tried before the loop over every format: with a
        # zone, one that gives the value on its fixed offset straight away
        self._first = _fast_parser(formats[0], self.zone, self._offsets) \
            if formats and self._fast[0] is not None else None

    def parse(self, text: str) -> datetime:
        """The aware datetime for `text`; DateTimeError says why not."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        value = self._first(text) if self._first is not None else None
        if value is None:
            value = self._naive_or_aware(text)
        if value.tzinfo is None:
            if self.zone is None:
                raise DateTimeError(f"{text!r} has no UTC offset; set timeZone in the "
                                    f"mapping {self.mapping_name}")
            # Fixed offset, as parse_record gives for ISO text: a zoneinfo datetime on an
            # ambiguous hour (fold) never compares equal to the same instant elsewhere. The
            # same wall time as local.astimezone(that offset), without the round trip. The
            # zone asked directly: what value.replace(tzinfo=zone).utcoffset() gives (the
            # wall time and fold alone decide), without making that datetime (~2x faster).
            offset = self.zone.utcoffset(value) or timedelta(0)
            fixed = self._offsets.get(offset)
            if fixed is None:
                fixed = self._offsets[offset] = timezone(offset)
            # made anew rather than by replace(tzinfo=), which is ~2x slower; a parsed
            # value's fold is always 0, as the new one's is
            value = datetime(value.year, value.month, value.day, value.hour, value.minute,
                             value.second, value.microsecond, fixed)
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
