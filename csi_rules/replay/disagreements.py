"""Write the tickets on which the replayed policies and the platform's SLA verdict disagree.

One row per ticket, so an admin can see why: its priority and state at the end, both
verdicts, the first breach, and per SLA metric its outcome, breach instant, share of the
target used and the target itself. CSV for a spreadsheet (one column group per metric), JSON
for tools (metrics as a list); the file name's extension picks the format.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from csi_rules.errors import UsageError
from csi_rules.replay.verdicts import TicketVerdict

FORMATS = (".csv", ".json")
_TICKET_COLUMNS = ("ticket", "priority", "state", "opened_at", "platform_verdict",
                   "policy_verdict", "first_breach_at", "first_breach_metric")
_METRIC_COLUMNS = ("outcome", "breached_at", "percent_used", "target")


def check_destination(path: str | Path) -> None:
    """Refuse a file name whose extension names no format, before any work is done."""
    if Path(path).suffix.lower() not in FORMATS:
        raise UsageError(f"--disagreements {path}: name a .csv or .json file (the extension "
                         f"picks the format)")


def write_disagreements(path: str | Path, verdicts: Sequence[TicketVerdict]) -> None:
    """The tickets in `verdicts` that disagree, in input order, to `path` (.csv or .json)."""
    check_destination(path)
    rows = [v for v in verdicts if v.disagrees]
    try:
        with Path(path).open("w", encoding="utf-8", newline="") as out:
            if Path(path).suffix.lower() == ".json":
                json.dump([v.to_json() for v in rows], out, indent=1)
                out.write("\n")
            else:
                _write_csv(out, rows, verdicts)
    except OSError as exc:
        raise UsageError(f"--disagreements {path}: cannot write: {exc.strerror}") from None


def _write_csv(out: Any, rows: Sequence[TicketVerdict],
               verdicts: Sequence[TicketVerdict]) -> None:
    metrics = sorted({m.name for v in verdicts for m in v.metrics})  # same columns every run
    writer = csv.writer(out)
    writer.writerow([*_TICKET_COLUMNS, *(f"{name} {c}" for name in metrics
                                         for c in _METRIC_COLUMNS)])
    for verdict in rows:
        data = verdict.to_json()
        first = data["first_breach"] or {}
        cells = [data["ticket"], data["priority"], data["state"], data["opened_at"],
                 data["platform_verdict"], data["policy_verdict"], first.get("at"),
                 f"{first['policy']}/{first['metric']}" if first else None]
        by_name = {f"{m['policy']}/{m['metric']}": m for m in data["metrics"]}
        for name in metrics:
            metric = by_name.get(name, {})
            cells += [metric.get(c) for c in _METRIC_COLUMNS]
        writer.writerow(["" if c is None else c for c in cells])
