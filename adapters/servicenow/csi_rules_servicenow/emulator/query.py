"""Encoded queries (`sysparm_query`): parsed once, run per row, as r_OpAvailableFiltersQueries.md
and c_EncodedQueryStrings.md describe them.

Supported: `^` (AND), `^OR` (binds to the condition before it), `^NQ` (new OR'ed group), `^EQ`,
ORDERBY / ORDERBYDESC, and the operators = != < <= > >= IN, NOT IN, LIKE (`*`), NOT LIKE (`!*`),
STARTSWITH, ENDSWITH (`%`), ISEMPTY, ISNOTEMPTY, ANYTHING, EMPTYSTRING, BETWEEN, SAMEAS, NSAMEAS,
GT_FIELD, LT_FIELD, GT_OR_EQUALS_FIELD, LT_OR_EQUALS_FIELD, ON, NOTON, DATEPART, RELATIVEGT/LT/
GE/LE/EE, MORETHAN, LESSTHAN; values may be `javascript:gs.<date helper>(...)` (see `_HELPERS`).

Reference fields: STARTSWITH, ENDSWITH, LIKE and NOT LIKE compare the referenced record's display
value (the docs' `caller_idSTARTSWITHDon`); `=` also matches the display value. Choice fields:
`=`, `!=`, IN and NOT IN also match a choice label (`state=closed`). Date-time helpers are read
in UTC (the platform uses the session user's zone).

Invalid parts, as the platform treats them (c_TableAPI.md, sysparm_query): a condition naming an
unknown field is ignored, a capitalised name too (column names are case-sensitive: the docs'
own `active=true^CallerISNOTEMPTY` is `active=true`). A part the emulator cannot evaluate — an
unknown operator, a documented operator it does not implement (DYNAMIC, IN_HIERARCHY,
VALCHANGES, ...), an unknown `javascript:` expression — makes the whole query return no rows,
as an instance with `glide.invalid_query.returns_no_rows=true` does: never a silently wider
result set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from csi_rules_servicenow.emulator.tables import (
    CHOICES,
    DATETIME_FIELDS,
    DISPLAY_FIELD,
    NUMERIC_FIELDS,
    REFERENCES,
)

# Longest operators first so that "NOT IN" wins over "IN" and "<=" over "<".
OPERATORS = ("GT_OR_EQUALS_FIELD", "LT_OR_EQUALS_FIELD", "ISNOTEMPTY", "EMPTYSTRING", "RELATIVEGT",
             "RELATIVELT", "RELATIVEGE", "RELATIVELE", "RELATIVEEE", "STARTSWITH", "ISEMPTY",
             "ANYTHING", "NOT LIKE", "ENDSWITH", "DATEPART", "MORETHAN", "LESSTHAN", "GT_FIELD",
             "LT_FIELD", "NSAMEAS", "BETWEEN", "NOT IN", "SAMEAS", "NOTON", "LIKE", "ON", "IN",
             "!=", "<=", ">=", "!*", "=", "<", ">", "*", "%")
# Documented, but needing what the emulator does not model (users, hierarchies, tags, changes).
NOT_IMPLEMENTED = ("IN_HIERARCHY_DYNAMIC", "IN_HIERARCHY", "DYNAMIC", "VALCHANGES", "CHANGESFROM",
                   "CHANGESTO", "DOESNOTHAVE", "EXCLUDING")
_ALIASES = {"*": "LIKE", "!*": "NOT LIKE", "%": "ENDSWITH"}
_FIELD = re.compile(r"[a-z0-9_.]+")
# A name with capitals is no column (names are case-sensitive and lower-case): the shortest
# such name before a known operator, so the condition can be ignored like any unknown field.
_CAPITALISED = re.compile(r"[A-Za-z][A-Za-z0-9_.]*?(?=" + "|".join(
    re.escape(op) for op in (*NOT_IMPLEMENTED, *OPERATORS)) + ")")
_TEXT_OPS = ("LIKE", "NOT LIKE", "STARTSWITH", "ENDSWITH")
_STAMP = "%Y-%m-%d %H:%M:%S"

Getter = Callable[[str], "str | None"]
"""Looks a (possibly dot-walked) field up in a row; None when the field does not exist."""


class Unsupported(ValueError):
    """A query part the emulator cannot evaluate: the query then returns no rows."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str
    now: datetime = datetime(1970, 1, 1, tzinfo=UTC)

    def matches(self, get: Getter) -> bool:
        actual = get(self.field)
        if actual is None:  # unknown field: the platform ignores the condition
            return True
        return _Match(self, get, actual).result()


@dataclass
class EncodedQuery:
    """Groups OR'ed by ^NQ; each group is an AND of terms; each term an OR of conditions."""

    groups: list[list[list[Condition]]] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    invalid: list[str] = field(default_factory=list)                # parts not understood

    def matches(self, get: Getter) -> bool:
        if self.invalid:
            return False
        if not self.groups:
            return True
        return any(all(any(c.matches(get) for c in term) for term in group)
                   for group in self.groups)


def parse_query(text: str, now: datetime | None = None) -> EncodedQuery:
    """Parse `sysparm_query`; `now` anchors relative dates (the emulator's clock, else UTC now)."""
    moment = now or datetime.now(UTC)
    query = EncodedQuery()
    for group_text in text.split("^NQ") if text else []:
        group: list[list[Condition]] = []
        for part in group_text.split("^"):
            if not part or part == "EQ":
                continue
            if part.startswith("ORDERBYDESC"):
                query.order_by.append((part[len("ORDERBYDESC"):], True))
                continue
            if part.startswith("ORDERBY"):
                query.order_by.append((part[len("ORDERBY"):], False))
                continue
            is_or = part.startswith("OR") and group and not _FIELD.match(part)
            condition = _parse_condition(part[2:] if is_or else part, moment)
            if condition is None:
                query.invalid.append(part)
                continue
            if is_or and group:
                group[-1].append(condition)
            else:
                group.append([condition])
        if group:
            query.groups.append(group)
    for condition in (c for g in query.groups for t in g for c in t):
        try:
            _check(condition)
        except Unsupported:
            query.invalid.append(f"{condition.field}{condition.op}{condition.value}")
    return query


def _parse_condition(text: str, now: datetime) -> Condition | None:
    match = _FIELD.match(text)
    if not match or not _known_operator(text[match.end():]):
        match = _CAPITALISED.match(text)
        if not match or match.group(0).islower():
            return None
    name, rest = match.group(0), text[match.end():]
    if rest.startswith(NOT_IMPLEMENTED):
        return None
    op = _known_operator(rest)
    return Condition(name, _ALIASES.get(op, op), rest[len(op):], now) if op else None


def _known_operator(rest: str) -> str | None:
    return next((op for op in OPERATORS if rest.startswith(op)), None)


def _check(c: Condition) -> None:
    """Evaluate every expression once at parse time, so a bad one fails the query up front."""
    if c.op == "DATEPART":
        _date_part(c.value)
        return
    for piece in c.value.split("@"):
        if piece.startswith("javascript:"):
            _script(piece, c.now)
    if c.op.startswith("RELATIVE"):
        _relative(c.value, c.now)


class _Match:
    def __init__(self, c: Condition, get: Getter, actual: str):
        self.c, self.get, self.actual = c, get, actual
        self.column = c.field.rsplit(".", 1)[-1]

    def result(self) -> bool:
        op, value, actual = self.c.op, self.c.value, self.actual
        if op in ("ISEMPTY", "EMPTYSTRING"):
            return actual == ""
        if op == "ISNOTEMPTY":
            return actual != ""
        if op == "ANYTHING":
            return True
        if op in _TEXT_OPS:
            return _text(op, self.display() if self.column in REFERENCES else actual, value)
        if op in ("IN", "NOT IN"):
            hit = self.among(value.split(","))
            return hit if op == "IN" else not hit
        if op in ("=", "!="):
            return self.equal(value) == (op == "=")
        if op in ("SAMEAS", "NSAMEAS", "GT_FIELD", "LT_FIELD", "GT_OR_EQUALS_FIELD",
                  "LT_OR_EQUALS_FIELD", "MORETHAN", "LESSTHAN"):
            return self.against_field()
        if op in ("ON", "NOTON", "BETWEEN"):
            return self.within()
        if op.startswith("RELATIVE"):
            return self.relative()
        if op == "DATEPART":
            when = _parse_time(actual)
            return when is not None and _date_part(value)(when)
        return _ordered(op, actual, _resolve(value, self.c.now), self.column)

    def display(self) -> str:
        """A reference's display value: the referenced record's display column."""
        target = REFERENCES[self.column]
        shown = self.get(f"{self.c.field}.{DISPLAY_FIELD.get(target, 'number')}")
        return shown or self.get(f"{self.c.field}.name") or ""

    def among(self, values: list[str]) -> bool:
        """IN: a plain column (no reference, choice label or date helper) is a membership test,
        as an instance's index lookup is; `sys_idIN<100 ids>` must not cost 100 compares a row."""
        if any(v.startswith("javascript:") for v in values):
            return any(self.equal(v) for v in values)
        if self.actual in values:
            return True
        plain = (self.column not in REFERENCES and self.column not in NUMERIC_FIELDS
                 and not CHOICES.get(self.get("sys_class_name") or "", {}).get(self.column))
        return not plain and any(self.equal(v) for v in values)

    def equal(self, expected: str) -> bool:
        expected = _resolve(expected, self.c.now)
        if _equal(self.actual, expected, self.column):
            return True
        if self.column in REFERENCES and self.actual:
            return self.display() == expected
        labels = CHOICES.get(self.get("sys_class_name") or "", {}).get(self.column, {})
        label = labels.get(self.actual)
        return label is not None and label.casefold() == expected.casefold()

    def against_field(self) -> bool:
        op = self.c.op
        other_name, _, rest = self.c.value.partition("@")
        other = self.get(other_name)
        if other is None:
            return True  # unknown field: ignored
        if op in ("MORETHAN", "LESSTHAN"):
            unit, direction, count = [*rest.split("@"), "", "", ""][:3]
            mine, theirs = _parse_time(self.actual), _parse_time(other)
            if mine is None or theirs is None or not count.isdigit():
                return False
            gap = (theirs - mine) if direction == "before" else (mine - theirs)
            limit = _unit(unit) * int(count)
            return gap > limit if op == "MORETHAN" else timedelta(0) <= gap < limit
        mine_text, their_text = _truncate(self.actual, rest), _truncate(other, rest)
        if op == "SAMEAS":
            return _equal(mine_text, their_text, self.column)
        if op == "NSAMEAS":
            return not _equal(mine_text, their_text, self.column)
        symbol = {"GT_FIELD": ">", "LT_FIELD": "<", "GT_OR_EQUALS_FIELD": ">=",
                  "LT_OR_EQUALS_FIELD": "<="}[op]
        return _ordered(symbol, self.actual, other, self.column)

    def within(self) -> bool:
        op, pieces = self.c.op, self.c.value.split("@")
        if op in ("ON", "NOTON"):
            if len(pieces) < 3:
                return False
            low, high = _resolve(pieces[1], self.c.now), _resolve(pieces[2], self.c.now)
        else:
            if len(pieces) != 2:
                return False
            low, high = _resolve(pieces[0], self.c.now), _resolve(pieces[1], self.c.now, end=True)
        inside = (self.actual != "" and _ordered(">=", self.actual, low, self.column)
                  and (_ordered("<=", self.actual, high, self.column)
                       or (self.column not in NUMERIC_FIELDS
                           and self.column not in DATETIME_FIELDS
                           and self.actual.startswith(high))))
        return (not inside and self.actual != "") if op == "NOTON" else inside

    def relative(self) -> bool:
        when = _parse_time(self.actual)
        if when is None:
            return False
        moment, unit = _relative(self.c.value, self.c.now)
        kind = self.c.op[len("RELATIVE"):]
        if kind == "EE":
            return _bucket(when, unit) == _bucket(moment, unit)
        return {"GT": when > moment, "LT": when < moment, "GE": when >= moment,
                "LE": when <= moment}[kind]


def _text(op: str, actual: str, expected: str) -> bool:
    if op == "LIKE":
        return expected in actual
    if op == "NOT LIKE":
        return expected not in actual
    if op == "STARTSWITH":
        return actual.startswith(expected)
    return actual.endswith(expected)


# --- dates ------------------------------------------------------------------------------------

_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1),
          "week": timedelta(weeks=1), "month": timedelta(days=30), "quarter": timedelta(days=91),
          "year": timedelta(days=365)}
_DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_SCRIPT = re.compile(r"^javascript:\s*gs\.(\w+)\(([^)]*)\)\s*;?$")


def _unit(name: str) -> timedelta:
    if name not in _UNITS:
        raise Unsupported(f"unknown time unit '{name}'")
    return _UNITS[name]


def _parse_time(text: str) -> datetime | None:
    for fmt in (_STAMP, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _truncate(text: str, unit: str) -> str:
    """`sla_dueSAMEASactivity_due@day`: compare at the unit's precision."""
    cut = {"": len(text), "year": 4, "month": 7, "day": 10, "hour": 13, "minute": 16}
    return text[:cut.get(unit, len(text))]


def _bucket(when: datetime, unit: str) -> str:
    return _truncate(when.strftime(_STAMP), unit)


def _day_start(when: datetime) -> datetime:
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


def _month_start(when: datetime, back: int = 0) -> datetime:
    index = when.year * 12 + when.month - 1 - back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _span(start: datetime, end_exclusive: datetime, end: bool) -> datetime:
    return end_exclusive - timedelta(seconds=1) if end else start


def _script(text: str, now: datetime) -> datetime:
    """`javascript:gs.<helper>(args)` for the GlideSystem date helpers the filters write."""
    match = _SCRIPT.match(text)
    if not match:
        raise Unsupported(f"unsupported expression '{text}'")
    name, raw = match.group(1), match.group(2)
    args = [a.strip().strip("'\"") for a in raw.split(",") if a.strip()]
    count = int(args[0]) if args and args[0].lstrip("-").isdigit() else 0
    today = _day_start(now)
    week = today - timedelta(days=today.weekday())          # weeks start on Monday
    spans = {
        "Today": (today, today + timedelta(days=1)),
        "Yesterday": (today - timedelta(days=1), today),
        "Tomorrow": (today + timedelta(days=1), today + timedelta(days=2)),
        "ThisWeek": (week, week + timedelta(days=7)), "LastWeek": (week - timedelta(days=7), week),
        "NextWeek": (week + timedelta(days=7), week + timedelta(days=14)),
        "ThisMonth": (_month_start(now), _month_start(now, -1)),
        "LastMonth": (_month_start(now, 1), _month_start(now)),
        "NextMonth": (_month_start(now, -1), _month_start(now, -2)),
        "ThisYear": (datetime(now.year, 1, 1, tzinfo=UTC), datetime(now.year + 1, 1, 1, tzinfo=UTC)),
        "LastYear": (datetime(now.year - 1, 1, 1, tzinfo=UTC), datetime(now.year, 1, 1, tzinfo=UTC)),
    }
    for prefix, end in (("beginningOf", False), ("endOf", True)):
        if name.startswith(prefix) and name[len(prefix):] in spans:
            return _span(*spans[name[len(prefix):]], end)
    ago = {"daysAgo": timedelta(days=count), "hoursAgo": timedelta(hours=count),
           "minutesAgo": timedelta(minutes=count)}
    if name in ago:
        return now - ago[name]
    if name in ("daysAgoStart", "daysAgoEnd"):
        day = today - timedelta(days=count)
        return _span(day, day + timedelta(days=1), name.endswith("End"))
    if name in ("hoursAgoStart", "hoursAgoEnd", "minutesAgoStart", "minutesAgoEnd"):
        unit = "hour" if name.startswith("hours") else "minute"
        at = now - _UNITS[unit] * count
        start = at.replace(minute=0 if unit == "hour" else at.minute, second=0, microsecond=0)
        return _span(start, start + _UNITS[unit], name.endswith("End"))
    if name in ("monthsAgoStart", "monthsAgoEnd"):
        return _span(_month_start(now, count), _month_start(now, count - 1),
                     name.endswith("End"))
    if name == "dateGenerate" and len(args) == 2:
        generated = _parse_time(args[0])
        if generated is None:
            raise Unsupported(f"bad date in '{text}'")
        if args[1] in ("start", "end"):
            return _span(generated, generated + timedelta(days=1), args[1] == "end")
        clock = _parse_time(f"{args[0]} {args[1]}")
        if clock is not None:
            return clock
    raise Unsupported(f"unsupported expression '{text}'")


def _resolve(value: str, now: datetime, *, end: bool = False) -> str:
    """A literal, or a date helper evaluated to the platform's `yyyy-MM-dd HH:mm:ss`."""
    if value.startswith("javascript:"):
        return _script(value, now).strftime(_STAMP)
    if end and len(value) == 10 and _parse_time(value) is not None:
        return f"{value} 23:59:59"        # a date as the upper bound covers the whole day
    return value


def _relative(value: str, now: datetime) -> tuple[datetime, str]:
    """`@hour@ago@1` -> (the moment, the unit)."""
    pieces = value.split("@")
    if len(pieces) != 4 or pieces[2] not in ("ago", "ahead") or not pieces[3].isdigit():
        raise Unsupported(f"bad relative value '{value}'")
    shift = _unit(pieces[1]) * int(pieces[3])
    return (now - shift if pieces[2] == "ago" else now + shift), pieces[1]


def _date_part(value: str) -> Callable[[datetime], bool]:
    """`Monday@javascript:gs.datePart('dayofweek','monday','GE')` -> a test on a moment."""
    script = value.partition("@")[2]
    match = re.match(r"^javascript:\s*gs\.datePart\(([^)]*)\)$", script)
    args = [a.strip().strip("'\"").lower() for a in match.group(1).split(",")] if match else []
    if len(args) != 3:
        raise Unsupported(f"bad DATEPART value '{value}'")
    part, wanted, op = args[0], args[1], args[2].upper()
    parts: dict[str, tuple[Callable[[datetime], int], Sequence[str]]] = {
        "dayofweek": (lambda d: (d.isoweekday() % 7) + 1, _DAYS),   # Sunday = 1
        "month": (lambda d: d.month, _MONTHS), "year": (lambda d: d.year, ()),
        "hour": (lambda d: d.hour, ()), "dayofmonth": (lambda d: d.day, ()),
        "quarter": (lambda d: (d.month - 1) // 3 + 1, ()),
    }
    if part not in parts or op not in ("EE", "GE", "GT", "LE", "LT"):
        raise Unsupported(f"bad DATEPART value '{value}'")
    read, names = parts[part]
    if wanted in names:
        target = list(names).index(wanted) + 1
    elif wanted.lstrip("-").isdigit():
        target = int(wanted)
    else:
        raise Unsupported(f"bad DATEPART value '{value}'")
    compare: dict[str, Callable[[int, int], bool]] = {
        "EE": lambda a, b: a == b, "GE": lambda a, b: a >= b, "GT": lambda a, b: a > b,
        "LE": lambda a, b: a <= b, "LT": lambda a, b: a < b}
    return lambda when: compare[op](read(when), target)


# --- scalar comparisons -----------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _equal(actual: str, expected: str, column: str) -> bool:
    if column in NUMERIC_FIELDS:
        a, e = _number(actual), _number(expected)
        if a is not None and e is not None:
            return a == e
    return actual == expected


def _ordered(op: str, actual: str, expected: str, column: str) -> bool:
    if actual == "":
        return False
    a: float | str = actual
    e: float | str = expected
    if column in NUMERIC_FIELDS:
        na, ne = _number(actual), _number(expected)
        if na is None or ne is None:
            return False
        a, e = na, ne
    if op == "<":
        return a < e  # type: ignore[operator]  # both str or both float, checked above
    if op == "<=":
        return a <= e  # type: ignore[operator]
    if op == ">":
        return a > e  # type: ignore[operator]
    return a >= e  # type: ignore[operator]


def sort_rows(rows: list[dict[str, str]], order_by: Sequence[tuple[str, bool]],
              getter_for: Callable[[dict[str, str]], Getter]) -> list[dict[str, str]]:
    """Stable multi-key sort: apply the keys last to first, each ascending or descending."""
    out = list(rows)
    for name, descending in reversed(order_by):
        column = name.rsplit(".", 1)[-1]

        def key(row: dict[str, str], name: str = name, column: str = column) -> tuple[int, object]:
            value = getter_for(row)(name) or ""
            if column in NUMERIC_FIELDS:
                number = _number(value)
                return (0, number) if number is not None else (-1, 0.0)
            return (0, value)

        out.sort(key=key, reverse=descending)
    return out
