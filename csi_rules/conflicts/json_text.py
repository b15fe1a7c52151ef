"""The JSON report as text, written conflict by conflict.

Byte for byte what `json.dumps(report_to_json(...))` gives (tests/conflicts/test_json_text.py
holds the two side by side), without first building a dict per conflict and per change
reference and walking them all again: a real schedule yields tens of thousands of conflicts
(37,179 on the Rabobank table), which made this half of what the command does after loading.
Strings are written by the json module's own escaping function, numbers as json writes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from json import dumps
from json.encoder import encode_basestring_ascii
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules.conflicts.describe import explain
from csi_rules.conflicts.model import ChangeRef, Conflict, ConflictReport
from csi_rules.conflicts.output import Times, report_document
from csi_rules.ingest.problems import SkippedRow


def report_json_text(report: ConflictReport, time_zone: str = "UTC",
                     skipped: Sequence[SkippedRow] = (), rows_merged: int = 0) -> str:
    """`json.dumps(report_to_json(report, time_zone, skipped, rows_merged))`, faster."""
    return "".join(report_json_chunks(report, time_zone, skipped, rows_merged))


def report_json_chunks(report: ConflictReport, time_zone: str = "UTC",
                       skipped: Sequence[SkippedRow] = (), rows_merged: int = 0,
                       batch: int = 1000) -> Iterator[str]:
    """`report_json_text` in pieces of `batch` conflicts, for writing out as they come
    (the whole text of a big report is tens of MB, and each copy of it costs as much)."""
    document = report_document(report, time_zone, skipped, rows_merged, [])
    names = list(document)
    at = names.index("conflicts")
    head = dumps({name: document[name] for name in names[:at]})
    tail = dumps({name: document[name] for name in names[at + 1:]})
    yield f'{head[:-1]}, "conflicts": ['
    conflict = _ConflictText(ZoneInfo(time_zone))
    conflicts = report.conflicts
    for start in range(0, len(conflicts), batch):
        text = ", ".join([conflict(c) for c in conflicts[start:start + batch]])
        yield f", {text}" if start else text
    yield f']{", " + tail[1:] if tail != "{}" else "}"}'


class _ConflictText:
    """Writes one conflict as `json.dumps(conflict_to_json(...))` would; remembers the text
    of what conflicts repeat (a check's constant fields, change references, instants)."""

    def __init__(self, zone: ZoneInfo):
        self.times = Times(zone)
        self.heads: dict[tuple[Any, ...], tuple[str, str]] = {}
        self.refs: dict[ChangeRef, str] = {}
        self.instants: dict[int, str] = {}

    def __call__(self, c: Conflict) -> str:
        key = (c.check, c.severity, c.policy, c.subject_kind)
        head = self.heads.get(key) or self._head(key)
        refs, instants = self.refs, self.instants
        changes = ", ".join([refs.get(r) or self._ref(r) for r in c.changes])
        try:
            subjects = ", ".join(map(encode_basestring_ascii, c.subjects))
        except TypeError:  # not all text
            subjects = ", ".join(map(_value, c.subjects))
        start = instants.get(c.start_us) or self._instant(c.start_us)
        end = instants.get(c.end_us) or self._instant(c.end_us)
        details = "{}" if not c.details and type(c.details) is dict else dumps(c.details)
        seconds = (c.end_us - c.start_us) // 1_000_000
        return (f'{head[0]}{changes}{head[1]}{subjects}], "start": {start}, "end": {end}, '
                f'"duration_seconds": '
                f'{int.__repr__(seconds) if type(seconds) is int else dumps(seconds)}, '
                f'"explanation": {encode_basestring_ascii(explain(c))}, "details": {details}}}')

    def _head(self, key: tuple[Any, ...]) -> tuple[str, str]:
        check, severity, policy, subject_kind = map(_value, key)
        head = self.heads[key] = (
            f'{{"check": {check}, "severity": {severity}, "policy": {policy}, "changes": [',
            f'], "subject_kind": {subject_kind}, "subjects": [')
        return head

    def _ref(self, ref: ChangeRef) -> str:
        """`dumps(ref.to_json())`; for a reference of text (every one the search makes)
        written here, as dumps writes a dict of text (~3x faster, once per change)."""
        id_, number, kind = ref
        if type(id_) is str and type(number) is str and type(kind) is str:
            text = (f'{{"id": {encode_basestring_ascii(id_)}, "number": '
                    f'{encode_basestring_ascii(number)}, "kind": {encode_basestring_ascii(kind)}}}')
        else:
            text = dumps(ref.to_json())
        self.refs[ref] = text
        return text

    def _instant(self, micros: int) -> str:
        text = self.instants[micros] = _value(self.times[micros])
        return text


def _value(value: Any) -> str:
    """A value as json.dumps writes it: text through json's own escaping, whole numbers by
    int.__repr__ (as json does), anything else by dumps itself."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    return int.__repr__(value) if kind is int else dumps(value)
