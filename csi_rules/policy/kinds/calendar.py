"""Calendar: business hours, holidays and exclusion windows that SLA clocks and gates count in."""

from __future__ import annotations

from typing import Any

from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import build_policy
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy


class CalendarKind:
    """A named business calendar; referenced by name from SLA, escalation and gate policies."""

    name = "Calendar"
    description = ("A business calendar: IANA time zone, weekly business hours, holidays "
                   "(dates, yearly rules or a country's public holidays) and exclusion windows "
                   "(maintenance, blackout, freeze). `24x7` is built in.")

    def spec_schema(self) -> dict[str, Any]:
        # csi_rules.calendars imported on use: every command registers this kind, few read
        # a calendar (the package loads holiday rules and zone tables)
        from csi_rules.calendars import CALENDAR_SPEC_SCHEMA

        return CALENDAR_SPEC_SCHEMA

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        from csi_rules.calendars import parse_calendar

        _, issues = parse_calendar(doc.data["spec"], name=doc.name, check_schema=False)
        return [doc.finding(("spec", *issue.pointer), issue.message) for issue in issues]

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return ()

    def build(self, doc: Document) -> Policy:
        from csi_rules.calendars import parse_calendar

        calendar, _ = parse_calendar(doc.data["spec"], name=doc.name, check_schema=False)
        policy = build_policy(doc, applies_to=self.applies_to(doc), hit_policy="none", rules=(),
                              default_actions=())
        return _with_compiled(policy, calendar)


def _with_compiled(policy: Policy, compiled: Any) -> Policy:
    from dataclasses import replace

    return replace(policy, compiled=compiled)
