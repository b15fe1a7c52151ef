"""A ConflictReport as JSON (shape documented in docs/conflicts-mapping.md) or as a plain table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules.conflicts.model import Conflict, ConflictReport, from_micros
from csi_rules.ingest.problems import SkippedRow

FORMAT = "csi-rules.conflicts/v1"


class Times(dict[int, str]):
    """Instants as text in one zone (ISO 8601, or `pattern` for strftime), each written once:
    tens of thousands of conflicts on a real schedule start and end at a few thousand
    distinct instants."""

    def __init__(self, zone: tzinfo, pattern: str | None = None):
        super().__init__()
        self.zone = zone
        self.pattern = pattern

    def __missing__(self, micros: int) -> str:
        at = from_micros(micros).astimezone(self.zone)
        text = self[micros] = at.strftime(self.pattern) if self.pattern else at.isoformat()
        return text


def conflict_to_json(conflict: Conflict, zone: tzinfo,
                     times: dict[int, str] | None = None) -> dict[str, Any]:
    times = times if times is not None else Times(zone)
    return {
        "check": conflict.check,
        "severity": conflict.severity,
        "policy": conflict.policy,
        "changes": [ref.to_json() for ref in conflict.changes],
        "subject_kind": conflict.subject_kind,
        "subjects": list(conflict.subjects),
        "start": times[conflict.start_us],
        "end": times[conflict.end_us],
        "duration_seconds": (conflict.end_us - conflict.start_us) // 1_000_000,
        "explanation": conflict.explanation,
        "details": conflict.details,
    }


def report_to_json(report: ConflictReport, time_zone: str = "UTC",
                   skipped: Sequence[SkippedRow] = (), rows_merged: int = 0) -> dict[str, Any]:
    """The report as plain JSON data; times are ISO 8601 in `time_zone`."""
    zone = ZoneInfo(time_zone)
    times = Times(zone)
    return report_document(report, time_zone, skipped, rows_merged,
                           [conflict_to_json(c, zone, times) for c in report.conflicts])


def report_document(report: ConflictReport, time_zone: str, skipped: Sequence[SkippedRow],
                    rows_merged: int, conflicts: Any) -> dict[str, Any]:
    """The JSON report around `conflicts` (the conflicts as JSON data, or a stand-in for a
    writer that writes them itself)."""
    severities = Counter(c.severity for c in report.conflicts)
    return {
        "format": FORMAT,
        "policy": report.policy,
        "time_zone": time_zone,
        "summary": {
            "checks_run": list(report.checks_run),
            "changes_checked": report.changes_checked,
            "unchecked": len(report.unchecked),
            "skipped_rows": len(skipped),
            "rows_merged": rows_merged,
            "excluded_by_policy": dict(report.excluded),
            "without_data": dict(report.without_data),
            "conflicts": len(report.conflicts),
            "blocking": severities.get("blocking", 0),
            "advisory": severities.get("advisory", 0),
            "by_check": dict(Counter(c.check for c in report.conflicts)),
        },
        "conflicts": conflicts,
        "unchecked": [{"change": u.change.to_json(), "reason": u.reason} for u in report.unchecked],
        "skipped_rows": [s.to_json() for s in skipped],
        "notes": list(report.notes),
    }


def _short(values: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" (+{len(values) - limit})" if len(values) > limit else "")


def left_out(report: ConflictReport, rows_merged: int = 0) -> list[str]:
    """Sentences on what the search did not look at (empty when it looked at everything)."""
    lines = [f"Excluded by policy from {check}: {n} changes"
             for check, n in report.excluded.items()]
    lines += [f"No data for {check}: {n} changes (nothing it looks at is set)"
              for check, n in report.without_data.items()]
    if rows_merged:
        lines.append(f"Merged on load: {rows_merged} rows folded into the change of an earlier row")
    return lines


def format_table(report: ConflictReport, time_zone: str = "UTC",
                 skipped: Sequence[SkippedRow] = (), rows_merged: int = 0) -> str:
    """Fixed-width text: one line per conflict, then unchecked changes, skipped rows, notes."""
    zone = ZoneInfo(time_zone)
    header = ("SEVERITY", "CHECK", f"START ({time_zone})", "END", "CHANGES", "ON", "WHY")
    rows = [header]
    minutes = Times(zone, "%Y-%m-%d %H:%M")
    for c in report.conflicts:
        rows.append((
            c.severity, c.check, minutes[c.start_us], minutes[c.end_us],
            _short([r.label for r in c.changes]), _short(list(c.subjects)), c.explanation))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(r, widths, strict=False)), r[-1]])
             .rstrip() for r in rows]
    blocking = sum(1 for c in report.conflicts if c.severity == "blocking")
    lines.append(f"{len(report.conflicts)} conflicts ({blocking} blocking) among "
                 f"{report.changes_checked} changes checked; {len(report.unchecked)} not checked.")
    if report.unchecked:
        lines.append("Not checked:")
        lines += [f"  {u.change.label}: {u.reason}" for u in report.unchecked]
    if skipped:
        lines.append("Skipped input rows:")
        lines += [f"  {s.format()}" for s in skipped]
    lines += left_out(report, rows_merged)
    lines += [f"Note: {n}" for n in report.notes]
    return "\n".join(lines) + "\n"
