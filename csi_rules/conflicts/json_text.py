"""The JSON report as text, written conflict by conflict.

Byte for byte what `json.dumps(report_to_json(...))` gives (tests/conflicts/test_json_text.py
holds the two side by side), without first building a dict per conflict and per change
reference and walking them all again: a real schedule yields tens of thousands of conflicts
(37,179 on the Rabobank table), which made this half of what the command does after loading.
Strings are written by the json module's own escaping function, numbers as json writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from json import dumps
from json.encoder import encode_basestring_ascii
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules.conflicts.model import ChangeRef, Conflict, ConflictReport
from csi_rules.conflicts.output import Times, report_document
from csi_rules.ingest.problems import SkippedRow


def report_json_text(report: ConflictReport, time_zone: str = "UTC",
                     skipped: Sequence[SkippedRow] = (), rows_merged: int = 0) -> str:
    """`json.dumps(report_to_json(report, time_zone, skipped, rows_merged))`, faster."""
    document = report_document(report, time_zone, skipped, rows_merged, [])
    names = list(document)
    at = names.index("conflicts")
    head = dumps({name: document[name] for name in names[:at]})
    tail = dumps({name: document[name] for name in names[at + 1:]})
    times = Times(ZoneInfo(time_zone))
    refs: dict[ChangeRef, str] = {}
    conflicts = ", ".join([_conflict(c, times, refs) for c in report.conflicts])
    return f'{head[:-1]}, "conflicts": [{conflicts}]{", " + tail[1:] if tail != "{}" else "}"}'


def _conflict(c: Conflict, times: Times, refs: dict[ChangeRef, str]) -> str:
    """One conflict as `conflict_to_json` gives it, written as json.dumps would."""
    changes = ", ".join([refs.get(r) or _ref(r, refs) for r in c.changes])
    subjects = ", ".join(map(_value, c.subjects))
    details = "{}" if not c.details and type(c.details) is dict else dumps(c.details)
    seconds = (c.end_us - c.start_us) // 1_000_000
    return (f'{{"check": {_value(c.check)}, "severity": {_value(c.severity)}, '
            f'"policy": {_value(c.policy)}, "changes": [{changes}], '
            f'"subject_kind": {_value(c.subject_kind)}, "subjects": [{subjects}], '
            f'"start": {_value(times[c.start_us])}, "end": {_value(times[c.end_us])}, '
            f'"duration_seconds": {_value(seconds)}, '
            f'"explanation": {_value(c.explanation)}, "details": {details}}}')


def _ref(ref: ChangeRef, refs: dict[ChangeRef, str]) -> str:
    text = refs[ref] = dumps(ref.to_json())
    return text


def _value(value: Any) -> str:
    """A value as json.dumps writes it: text through json's own escaping, whole numbers by
    int.__repr__ (as json does), anything else by dumps itself."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    return int.__repr__(value) if kind is int else dumps(value)
