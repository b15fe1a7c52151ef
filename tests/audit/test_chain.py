"""The hash chain: any edited, removed or reordered entry is found, and named."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from csi_rules.audit import GENESIS, chain_hash, verify


@dataclass(frozen=True)
class Row:
    seq: int
    entry: dict[str, Any]
    prev_hash: str
    hash: str


def chain(n: int) -> list[Row]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        entry = {"seq": seq, "record": {"id": f"r{seq}"}, "actions": [{"status": "applied"}]}
        digest = chain_hash(prev, entry)
        rows.append(Row(seq, entry, prev, digest))
        prev = digest
    return rows


def test_an_intact_chain_verifies_and_reports_its_head():
    rows = chain(5)
    result = verify(rows)
    assert result.ok and result.entries == 5 and result.head == rows[-1].hash


def test_an_edited_entry_is_named():
    rows = chain(5)
    rows[2] = replace(rows[2], entry={**rows[2].entry, "actions": [{"status": "failed"}]})
    result = verify(rows)
    assert (result.ok, result.bad_seq) == (False, 3) and "changed" in result.reason


def test_a_rehashed_edit_still_breaks_the_next_link():
    rows = chain(5)
    edited = {**rows[1].entry, "record": {"id": "other"}}
    rows[1] = replace(rows[1], entry=edited, hash=chain_hash(rows[1].prev_hash, edited))
    assert verify(rows).bad_seq == 3


def test_a_removed_or_reordered_entry_is_named():
    rows = chain(5)
    assert verify(rows[:2] + rows[3:]).bad_seq == 3
    assert verify([rows[1], rows[0], *rows[2:]]).bad_seq == 1
