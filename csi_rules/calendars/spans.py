"""Weekly business hours: span text like "09:00-17:30" or "22:00-06:00", checked, laid out per day.

Spans are wall-clock times in the calendar's zone. An overnight span belongs to the day it starts
on and runs into the next; for arithmetic it is split at midnight, so each calendar date owns
only the minutes that fall on it (which is what lets a holiday remove exactly one date).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_SPAN = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")


class SpanError(ValueError):
    """Span text that is not a usable span; the message is ready to show to a user."""


@dataclass(frozen=True)
class Span:
    """One business-hours span; `end` exceeds 1440 when the span runs past midnight."""

    text: str
    start: int
    end: int

    @property
    def overnight(self) -> bool:
        return self.end > MINUTES_PER_DAY


def clock(minute: int) -> str:
    """'HH:MM' for minutes past midnight (1440 shows as 24:00)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_span(text: str) -> Span:
    """Parse "HH:MM-HH:MM"; an end before the start means the span runs into the next day."""
    match = _SPAN.fullmatch(text.strip())
    if not match:
        raise SpanError(f"malformed span {text!r}: expected 'HH:MM-HH:MM', e.g. '09:00-17:30'")
    sh, sm, eh, em = (int(g) for g in match.groups())
    for hour, minute, is_end in ((sh, sm, False), (eh, em, True)):
        if minute > 59 or hour > 24 or (hour == 24 and (minute or not is_end)):
            raise SpanError(
                f"span {text!r} has an invalid time '{hour:02d}:{minute:02d}' "
                "(hours 00-23, minutes 00-59; '24:00' only as an end)"
            )
    start, end = sh * 60 + sm, eh * 60 + em
    if start == end:
        raise SpanError(
            f"span {text!r} is empty (start equals end); write '00:00-24:00' for a whole day"
        )
    if end < start:
        end += MINUTES_PER_DAY
    return Span(text, start, end)


@dataclass(frozen=True)
class _Piece:
    day: int
    index: int
    span: Span
    start: int
    end: int
    spill: bool


def _pieces(day: int, index: int, span: Span) -> list[_Piece]:
    """The span in minutes of the week, split where it wraps from Sunday night into Monday."""
    start = day * MINUTES_PER_DAY + span.start
    end = day * MINUTES_PER_DAY + span.end
    cut = (day + 1) * MINUTES_PER_DAY
    parts = [_Piece(day, index, span, start, min(end, cut), False)]
    if end > cut:
        parts.append(_Piece(day, index, span, cut, end, True))
    out = []
    for p in parts:
        if p.start >= MINUTES_PER_WEEK:
            p = _Piece(day, index, span, p.start - MINUTES_PER_WEEK,
                       p.end - MINUTES_PER_WEEK, p.spill)
        out.append(p)
    return out


def _overlap_message(first: _Piece, later: _Piece) -> str:
    """Why `later` (reported) clashes with `first` (earlier in the file)."""
    a, b = first.span, later.span
    if first.day == later.day:
        return f"span {b.text!r} overlaps {a.text!r} on the same day"
    if first.spill:
        nxt = WEEKDAYS[(first.day + 1) % 7]
        return (f"span {b.text!r} overlaps {WEEKDAYS[first.day]}'s overnight span {a.text!r}, "
                f"which runs until {clock(a.end - MINUTES_PER_DAY)} on {nxt}")
    nxt = WEEKDAYS[(later.day + 1) % 7]
    return (f"overnight span {b.text!r} runs until {clock(b.end - MINUTES_PER_DAY)} on {nxt} "
            f"and overlaps {nxt}'s span {a.text!r}")


def find_overlaps(spans: Sequence[Sequence[Span | None]]) -> list[tuple[int, int, str]]:
    """(weekday, index, message) for each span that overlaps one listed before it.

    `spans[day]` lists the spans of that weekday in file order; None marks an unparsable span.
    Overnight spans are checked against the next day's spans (and Sunday's against Monday's).
    """
    pieces = [
        piece
        for day, day_spans in enumerate(spans)
        for index, span in enumerate(day_spans)
        if span is not None
        for piece in _pieces(day, index, span)
    ]
    reported: set[tuple[int, int, int, int]] = set()
    found = []
    for p in pieces:
        for q in pieces:
            if (p.day, p.index) >= (q.day, q.index):
                continue
            key = (p.day, p.index, q.day, q.index)
            if key in reported or not (p.start < q.end and q.start < p.end):
                continue
            reported.add(key)
            found.append((q.day, q.index, _overlap_message(p, q)))
    found.sort()
    return found


@dataclass(frozen=True)
class WeeklyHours:
    """Business minutes of each weekday (0 = Monday), overnight spills already moved over."""

    spans: tuple[tuple[Span, ...], ...]
    by_weekday: tuple[tuple[tuple[int, int], ...], ...]

    @classmethod
    def from_spans(cls, spans: Mapping[str, Sequence[Span]]) -> WeeklyHours:
        per_day: list[list[tuple[int, int]]] = [[] for _ in WEEKDAYS]
        for day, name in enumerate(WEEKDAYS):
            for span in spans.get(name, ()):
                per_day[day].append((span.start, min(span.end, MINUTES_PER_DAY)))
                if span.overnight:
                    per_day[(day + 1) % 7].append((0, span.end - MINUTES_PER_DAY))
        return cls(
            tuple(tuple(spans.get(name, ())) for name in WEEKDAYS),
            tuple(_merge(day) for day in per_day),
        )

    @classmethod
    def parse(cls, hours: Mapping[str, Sequence[str]]) -> WeeklyHours:
        """From text such as {"mon": ["09:00-17:00"]}; raises SpanError on the first bad span."""
        return cls.from_spans({day: [parse_span(t) for t in texts] for day, texts in hours.items()})

    @property
    def is_empty(self) -> bool:
        return not any(self.by_weekday)

    def minutes(self, weekday: int) -> tuple[tuple[int, int], ...]:
        """Sorted, merged (start, end) minutes past midnight for `weekday`; end <= 1440."""
        return self.by_weekday[weekday]


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)
