"""What a history loader returns: the tickets, every input line left out, and how much was read."""

from __future__ import annotations

from dataclasses import dataclass, field

from csi_rules.ingest.problems import SkippedRow
from csi_rules.records import Record


@dataclass
class LoadedHistory:
    """Tickets (records carrying `history`) in order of first appearance, and skipped lines."""

    records: list[Record] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    rows_read: int = 0
