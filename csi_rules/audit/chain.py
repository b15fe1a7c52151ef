"""Hash-chaining: each entry's hash covers the previous hash and the entry's canonical JSON.

Changing, removing or reordering any entry breaks every hash after it, so `verify` names the
first entry that no longer fits. Truncating the *end* of the log leaves a valid shorter chain;
to catch that, keep the head hash `verify` prints somewhere else (a ticket, a CI log).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

GENESIS = "0" * 64


def canonical_json(entry: Mapping[str, Any]) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 kept: one text per entry value."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def chain_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(entry)).encode("utf-8")).hexdigest()


class ChainedRow(Protocol):
    @property
    def seq(self) -> int: ...

    @property
    def entry(self) -> Mapping[str, Any]: ...

    @property
    def prev_hash(self) -> str: ...

    @property
    def hash(self) -> str: ...


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    head: str
    bad_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


def verify(rows: Iterable[ChainedRow]) -> VerifyResult:
    """Walk the log from the start; stop at the first entry that breaks the chain."""
    prev, expected_seq, count = GENESIS, 1, 0
    for row in rows:
        if row.seq != expected_seq:
            return VerifyResult(count, prev, expected_seq,
                                f"entry {expected_seq} is missing (next is {row.seq})")
        if row.entry.get("seq") != row.seq:
            return VerifyResult(count, prev, row.seq, "entry's own seq does not match its place")
        if row.prev_hash != prev:
            return VerifyResult(count, prev, row.seq, "previous-hash link does not match the "
                                "entry before it")
        if chain_hash(prev, row.entry) != row.hash:
            return VerifyResult(count, prev, row.seq, "content does not match its hash "
                                "(the entry was changed)")
        prev, expected_seq, count = row.hash, expected_seq + 1, count + 1
    return VerifyResult(count, prev)
