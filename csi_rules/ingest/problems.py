"""The one switch for broken input: fail on the first broken row, or skip it and say why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from csi_rules.errors import RecordError

OnError = Literal["fail", "skip"]


@dataclass(frozen=True, order=True)
class SkippedRow:
    """An input line that was left out, and why (only with on_error='skip')."""

    file: str
    line: int
    reason: str

    def format(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason}


class RowProblems:
    """Raise on the first broken row, or collect it as a SkippedRow: nothing is dropped silently."""

    def __init__(self, file: str, on_error: OnError):
        if on_error not in ("fail", "skip"):
            raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
        self.file = file
        self.on_error = on_error
        self.skipped: list[SkippedRow] = []

    def report(self, line: int, reason: str) -> None:
        if self.on_error == "fail":
            raise RecordError(f"{self.file}:{line}: {reason}")
        self.skipped.append(SkippedRow(self.file, line, reason))
