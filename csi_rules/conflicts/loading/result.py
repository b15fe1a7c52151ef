"""What a change loader returns: the changes read, every row left out, and how much was read."""

from __future__ import annotations

from dataclasses import dataclass, field

from csi_rules.ingest.problems import OnError, RowProblems, SkippedRow
from csi_rules.records import Record

__all__ = ["LoadResult", "OnError", "RowProblems", "SkippedRow"]  # the last three: old home


@dataclass
class LoadResult:
    """The change records read, in input order, and every row left out."""

    changes: list[Record] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    rows_read: int = 0
    rows_merged: int = 0
    """Rows folded into a change an earlier row began (a change x CI table's extra rows)."""
