"""Export the log as JSON lines: each entry with its seq, previous hash and hash, so a copy can
be verified elsewhere with nothing but sha256."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from csi_rules.audit.chain import ChainedRow


def export_jsonl(rows: Iterable[ChainedRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps({"seq": row.seq, "prev_hash": row.prev_hash, "hash": row.hash,
                              "entry": row.entry}, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
