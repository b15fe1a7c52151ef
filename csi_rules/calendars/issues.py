"""What can go wrong with a calendar: findings from parsing, and errors from using one."""

from __future__ import annotations

from typing import NamedTuple

from csi_rules.errors import CsiRulesError

Pointer = tuple[str | int, ...]


class CalendarIssue(NamedTuple):
    """One problem in a calendar spec: where (JSON pointer inside `spec`) and what, in one line.

    A plain tuple underneath, so the policy loader can turn it into a file:line finding without
    importing this class.
    """

    pointer: Pointer
    message: str


class CalendarError(CsiRulesError):
    """A calendar that cannot answer: no business time at all, or a missing holidays package."""
