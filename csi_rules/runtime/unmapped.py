"""Platform values an adapter could not map to the record contract, reported once per run.

Adapters keep such values visible on the record (`state: code:9`, `unmapped: {state: '9'}`); an
admin also needs to hear about them once, so the mapping can be completed, without a warning on
every ticket of every cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

from csi_rules.records.model import Record
from csi_rules.runtime.events import Reporter


class UnmappedValues:
    """Remembers which (adapter, kind, field, value) it has reported in this run."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str, str, str]] = set()

    def report(self, adapter: str, records: Iterable[Record], reporter: Reporter) -> None:
        for record in records:
            for field, value in (record.data.get("unmapped") or {}).items():
                key = (adapter, record.kind, str(field), str(value))
                if key in self._seen:
                    continue
                self._seen.add(key)
                reporter.event("unmapped_value", adapter=adapter, kind=record.kind, field=field,
                               value=value, example=record.label,
                               hint=f"add it to the {adapter} adapter's mapping for {field}")

    @property
    def count(self) -> int:
        return len(self._seen)
