"""Incremental sync: overlap window + dedupe on (key, updated), safe against mid-sync updates.

JQL `updated >=` has minute resolution and search indexes lag, so each sync re-reads an
overlap window and drops every (key, updated) pair it already yielded. If an issue shows up
twice within one pass, the result set shifted under us while paging (an already-read issue
was updated and moved to the end); with offset-style page tokens that can skip an unread
issue, so the pass is repeated and the ledger keeps the repeat from yielding anything twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from csi_rules_jira.timestamps import parse_jira_datetime

MAX_PASSES = 3


class SyncLedger:
    """(key, updated) pairs already yielded, kept for as long as an overlap can return them."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], datetime] = {}
        self.watermark: datetime | None = None

    def __contains__(self, pair: tuple[str, str]) -> bool:
        return pair in self._seen

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, key: str, updated: str) -> None:
        when = parse_jira_datetime(updated)
        self._seen[(key, updated)] = when
        if self.watermark is None or when > self.watermark:
            self.watermark = when

    def prune(self, before: datetime) -> None:
        """Forget pairs older than any future overlap window can reach."""
        self._seen = {p: t for p, t in self._seen.items() if t >= before}

    def dump(self) -> dict[str, Any]:
        return {"watermark": self.watermark.isoformat() if self.watermark else None,
                "seen": [[k, u] for (k, u) in self._seen]}

    def save(self, path: str) -> None:
        Path(path).write_text(json.dumps(self.dump()), encoding="utf-8")

    @classmethod
    def load(cls, path: str) -> SyncLedger:
        ledger = cls()
        file = Path(path)
        if not file.exists():
            return ledger
        data = json.loads(file.read_text(encoding="utf-8"))
        for key, updated in data.get("seen", ()):
            ledger.add(key, updated)
        if data.get("watermark"):
            ledger.watermark = datetime.fromisoformat(data["watermark"])
        return ledger


def incremental(pages: Callable[[], Iterable[dict[str, Any]]], ledger: SyncLedger, *,
                since: datetime | None, overlap: timedelta,
                max_passes: int = MAX_PASSES) -> Iterator[dict[str, Any]]:
    """Issues from `pages()` (one full pass each call) not yet in `ledger`, each pair once."""
    if since is not None:
        ledger.prune(since - overlap - timedelta(minutes=1))
    for _ in range(max_passes):
        keys_this_pass: set[str] = set()
        shifted = False
        for issue in pages():
            key = str(issue.get("key"))
            updated = str((issue.get("fields") or {}).get("updated") or "")
            if key in keys_this_pass:
                shifted = True
            keys_this_pass.add(key)
            if (key, updated) in ledger:
                continue
            ledger.add(key, updated)
            yield issue
        if not shifted:
            return
