"""OnCallRota: who is on call, as a policy document (`notify: {to: rota:NAME}` resolves it)."""

from __future__ import annotations

from typing import Any

from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import build_policy
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy

_MEMBER = {"oneOf": [
    {"type": "string", "minLength": 1, "description": "a name, or an e-mail address"},
    {"type": "object", "required": ["name"], "additionalProperties": False,
     "properties": {"name": {"type": "string", "minLength": 1},
                    "email": {"type": "string", "minLength": 3},
                    "phone": {"type": "string", "minLength": 3},
                    "user": {"type": "string", "minLength": 1,
                             "description": "paging tool user name"}}}]}
_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?$",
         "description": "ISO date-time; without an offset it is in the rota's time zone"}

SPEC_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["members", "start"],
    "properties": {
        "timezone": {"type": "string", "minLength": 1,
                     "description": "IANA zone of the hand-over time (default UTC)"},
        "rotation": {"enum": ["daily", "weekly"], "description": "default weekly"},
        "handover": {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$",
                     "description": "local hand-over time HH:MM (default 09:00)"},
        "handoverDay": {"enum": ["monday", "tuesday", "wednesday", "thursday", "friday",
                                 "saturday", "sunday"],
                        "description": "weekly: day of the hand-over (default monday)"},
        "start": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$",
                  "description": "date of the first member's first shift"},
        "members": {"type": "array", "minItems": 1, "items": _MEMBER,
                    "description": "people in turn order"},
        "overrides": {"type": "array", "description": "holidays and swaps: someone else "
                      "from..until", "items": {
                          "type": "object", "additionalProperties": False,
                          "required": ["from", "until", "member"],
                          "properties": {"from": _TIME, "until": _TIME, "member": _MEMBER}}},
        "backup": {"type": "string", "minLength": 1, "description": "rota (or person) paged "
                   "as rota:NAME:backup when the primary does not acknowledge"},
    },
}


class OnCallRotaKind:
    name = "OnCallRota"
    description = ("An on-call rota: members taking turns daily or weekly at a local hand-over "
                   "time (DST-aware), with overrides and a backup; `notify: {to: rota:NAME}`.")

    def spec_schema(self) -> dict[str, Any]:
        return SPEC_SCHEMA

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        from csi_rules.calendars.issues import CalendarError  # on use, as the rota itself
        from csi_rules.notify.rota import parse_rota

        try:
            rota = parse_rota(doc.name, doc.data["spec"])
        except CalendarError as exc:
            return [doc.finding(("spec", "timezone"), str(exc))]
        except ValueError as exc:
            return [doc.finding(("spec",), str(exc))]
        return [doc.finding(("spec", "overrides", i), "override ends before it starts")
                for i, o in enumerate(rota.overrides) if o.end <= o.start]

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return ()

    def build(self, doc: Document) -> Policy:
        from dataclasses import replace

        from csi_rules.notify.rota import parse_rota

        policy = build_policy(doc, applies_to=self.applies_to(doc), hit_policy="none", rules=(),
                              default_actions=())
        return replace(policy, compiled=parse_rota(doc.name, doc.data["spec"]))
