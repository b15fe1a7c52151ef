"""The JQL subset the emulator understands.

Clauses: `project`, `status`, `statusCategory`, `issuetype`, `priority`, `assignee`, `labels`,
`key`/`issuekey`/`id` with `=`, `!=`, `in`, `not in`; `updated`/`created`/`resolved` with
`=`, `!=`, `<`, `<=`, `>`, `>=`; `AND`, `OR`, `NOT` and parentheses; `ORDER BY f [ASC|DESC], ...`.
Date literals are `"yyyy-MM-dd HH:mm"`, `"yyyy/MM/dd HH:mm"`, `"yyyy-MM-dd"`, `"yyyy/MM/dd"`,
relative `-5d`/`-4h`/`-15m`, or bare epoch milliseconds, read in the *caller's* time zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules_jira.emulator.model import Issue


class JqlError(ValueError):
    """A query the emulator cannot parse; answered as HTTP 400 with this message."""


_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')'
                    r'|(?P<op>!=|>=|<=|[=<>(),~])'
                    r'|(?P<word>[^\s=!<>(),"\'~]+))')
_DATE_FIELDS = {"updated": "updated", "updateddate": "updated", "created": "created",
                "createddate": "created", "resolved": "resolved", "resolutiondate": "resolved"}
_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
_RELATIVE = re.compile(r"^([+-]?)(\d+)([wdhm])$")

Predicate = Callable[[Issue], bool]


@dataclass
class Query:
    where: Predicate | None
    order: list[tuple[str, bool]]           # (field, descending)

    @property
    def bounded(self) -> bool:
        return self.where is not None


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise JqlError(f"Error in the JQL Query: unexpected character at position {pos}.")
        pos = m.end()
        for kind in ("str", "op", "word"):
            if m.group(kind) is not None:
                value = m.group(kind)
                if kind == "str":
                    value = re.sub(r"\\(.)", r"\1", value[1:-1])
                out.append((kind, value))
                break
    return out


class _Parser:
    def __init__(self, text: str, now: datetime, zone: ZoneInfo):
        self.toks = _tokens(text)
        self.i = 0
        self.now = now
        self.zone = zone

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def word(self, *words: str) -> bool:
        tok = self.peek()
        if tok and tok[0] == "word" and tok[1].lower() in words:
            self.i += 1
            return True
        return False

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise JqlError("Error in the JQL Query: the query ended unexpectedly.")
        self.i += 1
        return tok

    def query(self) -> Query:
        where = None
        tok = self.peek()
        if tok and not (tok[0] == "word" and tok[1].lower() == "order"):
            where = self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.word("order"):
            if not self.word("by"):
                raise JqlError("Error in the JQL Query: expecting 'by' after 'order'.")
            while True:
                name = self.take()[1].lower()
                desc = False
                if self.word("desc"):
                    desc = True
                else:
                    self.word("asc")
                order.append((name, desc))
                if self.peek() == ("op", ","):
                    self.i += 1
                    continue
                break
        if self.peek() is not None:
            raise JqlError(f"Error in the JQL Query: unexpected '{self.peek()[1]}'.")  # type: ignore[index]
        return Query(where, order)

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.word("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda i: any(p(i) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.word("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda i: all(p(i) for p in parts))

    def unary(self) -> Predicate:
        if self.word("not"):
            inner = self.unary()
            return lambda i: not inner(i)
        if self.peek() == ("op", "("):
            self.i += 1
            inner = self.or_expr()
            if self.take() != ("op", ")"):
                raise JqlError("Error in the JQL Query: expecting ')'.")
            return inner
        return self.clause()

    def clause(self) -> Predicate:
        name = self.take()[1].lower()
        if self.word("not"):
            if not self.word("in"):
                raise JqlError("Error in the JQL Query: expecting 'in' after 'not'.")
            values = self.values()
            return _negate(self.field_in(name, values))
        if self.word("in"):
            return self.field_in(name, self.values())
        if self.word("is"):
            negate = self.word("not")
            if not self.word("empty", "null"):
                raise JqlError("Error in the JQL Query: expecting EMPTY after IS.")
            getter = _getter(name)
            pred: Predicate = lambda i: getter(i) in (None, "", [])  # noqa: E731
            return _negate(pred) if negate else pred
        kind, op = self.take()
        if kind != "op" or op not in ("=", "!=", "<", "<=", ">", ">=", "~"):
            raise JqlError(f"Error in the JQL Query: expecting an operator after '{name}'.")
        value = self.take()[1]
        if name in _DATE_FIELDS:
            return self.date_compare(_DATE_FIELDS[name], op, value)
        if op in ("=", "!="):
            pred = self.field_in(name, [value])
            return _negate(pred) if op == "!=" else pred
        raise JqlError(f"Error in the JQL Query: operator '{op}' is not supported for '{name}'.")

    def values(self) -> list[str]:
        if self.take() != ("op", "("):
            raise JqlError("Error in the JQL Query: expecting '(' after IN.")
        out = []
        while True:
            out.append(self.take()[1])
            tok = self.take()
            if tok == ("op", ")"):
                return out
            if tok != ("op", ","):
                raise JqlError("Error in the JQL Query: expecting ',' or ')'.")

    def field_in(self, name: str, values: list[str]) -> Predicate:
        getter = _getter(name)
        wanted = {v.casefold() for v in values}

        def pred(issue: Issue) -> bool:
            have = getter(issue)
            if isinstance(have, list):
                return any(str(h).casefold() in wanted for h in have)
            return have is not None and any(str(h).casefold() in wanted for h in _alts(have))
        return pred

    def date_compare(self, attr: str, op: str, literal: str) -> Predicate:
        bound = self.date(literal)
        ops: dict[str, Callable[[datetime, datetime], bool]] = {
            "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
        compare = ops[op]
        return lambda i: (getattr(i, attr) is not None and compare(getattr(i, attr), bound))

    def date(self, literal: str) -> datetime:
        rel = _RELATIVE.match(literal)
        if rel:
            n = int(rel.group(2)) * (-1 if rel.group(1) == "-" else 1)
            unit = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}[rel.group(3)]
            return self.now + timedelta(**{unit: n})
        if literal.isdigit():
            return datetime.fromtimestamp(int(literal) / 1000, UTC)
        for fmt in _FORMATS:
            try:
                return datetime.strptime(literal, fmt).replace(tzinfo=self.zone)
            except ValueError:
                continue
        raise JqlError(f"Date value '{literal}' for field 'updated' is invalid. Valid formats "
                       "include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', "
                       "'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.")


def _alts(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def _negate(pred: Predicate) -> Predicate:
    return lambda i: not pred(i)


def _getter(name: str) -> Callable[[Issue], Any]:
    getters: dict[str, Callable[[Issue], Any]] = {
        "project": lambda i: (i.project.key, i.project.id, i.project.name),
        "status": lambda i: i.status,
        "statuscategory": lambda i: i.project.workflow.statuses[i.status]["category"],
        "issuetype": lambda i: i.issue_type, "type": lambda i: i.issue_type,
        "priority": lambda i: i.priority, "assignee": lambda i: i.assignee,
        "reporter": lambda i: i.reporter, "labels": lambda i: i.labels,
        "key": lambda i: (i.key, i.id), "issuekey": lambda i: (i.key, i.id), "id": lambda i: i.id,
        "component": lambda i: i.components,
    }
    if name not in getters:
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
    return getters[name]


def parse(text: str, now: datetime, zone: ZoneInfo) -> Query:
    return _Parser(text, now, zone).query()


def sort_issues(issues: list[Issue], order: list[tuple[str, bool]],
                priorities: Sequence[str] = ()) -> list[Issue]:
    """Stable multi-key sort; the default order is key descending like Jira's.

    `priorities` is the priority scheme, highest first: Jira orders priority by its rank in
    the scheme (DESC puts Highest first), never by name.
    """
    result = sorted(issues, key=lambda i: (i.project.key, int(i.key.rsplit("-", 1)[1])),
                    reverse=True)
    for name, desc in reversed(order or [("key", True)]):
        result.sort(key=_order_getter(name, list(priorities)), reverse=desc)
    return result


def _order_getter(name: str, priorities: list[str]) -> Callable[[Issue], Any]:
    if name == "priority":
        rank = {p.casefold(): len(priorities) - n for n, p in enumerate(priorities)}
        return lambda i: rank.get(i.priority.casefold(), 0)
    if name in _DATE_FIELDS:
        attr = _DATE_FIELDS[name]
        return lambda i: getattr(i, attr) or datetime.min.replace(tzinfo=UTC)
    if name in ("key", "issuekey", "id"):
        return lambda i: (i.project.key, int(i.key.rsplit("-", 1)[1]))
    getter = _getter(name)
    return lambda i: str(getter(i) or "")
