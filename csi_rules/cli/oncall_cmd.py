"""`csi-rules oncall --rota NAME --at TIME`: who a `rota:NAME` notification reaches at TIME
(primary and backup), and the hand-overs either side of it, in the rota's own time zone."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from csi_rules.clock import parse_now
from csi_rules.errors import UsageError
from csi_rules.notify.rota import Member, Rota, Shift
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import load_policy_set
from csi_rules.runtime.notifications import rotas_of
from csi_rules.suggest import unknown_name

BEFORE = timedelta(microseconds=1)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("oncall", help="show who is on call on a rota (primary and backup)")
    p.add_argument("--rota", required=True, metavar="NAME", help="an OnCallRota's name")
    p.add_argument("--at", metavar="TIME", help="ISO date-time; without an offset it is in the "
                   "rota's time zone (default: now)")
    p.add_argument("--policies", action="append", metavar="DIR",
                   help="policy files or directories holding the rotas (default: ./policies)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rotas = rotas_of(load_policy_set(args.policies or ["policies"], load_plugins()))
    rota = rotas.get(args.rota)
    if rota is None:
        raise UsageError(unknown_name("on-call rota", args.rota, rotas))
    at = _instant(args.at, rota)
    report = {"rota": rota.name, "timezone": rota.zone, "at": _iso(at, rota),
              "primary": _shift(rota, at), "backup": _backup(rotas, rota, at)}
    print(json.dumps(report, indent=2) if args.format == "json" else _text(report))
    return 0


def _instant(text: str | None, rota: Rota) -> datetime:
    from csi_rules.calendars.zones import load_zone

    value = parse_now(text, "--at", naive_zone=load_zone(rota.zone))
    return value.astimezone(UTC)  # compared as instants, never as wall-clock times


def _iso(value: datetime, rota: Rota) -> str:
    from csi_rules.calendars.zones import load_zone

    return value.astimezone(load_zone(rota.zone)).isoformat()


def _person(member: Member) -> dict[str, Any]:
    return {"name": member.name, **member.contacts}


def _shift(rota: Rota, at: datetime) -> dict[str, Any]:
    shift: Shift = rota.shift(at)
    return {"rota": rota.name, **_person(shift.member), "override": shift.override,
            "since": shift.start.isoformat(), "until": shift.end.isoformat(),
            "from": rota.shift(shift.start.astimezone(UTC) - BEFORE).member.name,
            "to": rota.shift(shift.end).member.name}


def _backup(rotas: dict[str, Rota], rota: Rota, at: datetime) -> dict[str, Any] | None:
    if not rota.backup:
        return None
    if rota.backup in rotas:
        return _shift(rotas[rota.backup], at)
    return {"name": rota.backup}


def _line(role: str, who: dict[str, Any] | None) -> list[str]:
    if who is None:
        return [f"  {role}: none (the rota names no backup)"]
    contact = ", ".join(who[k] for k in ("email", "phone", "user")
                        if k in who and who[k] != who["name"])
    head = f"  {role}: {who['name']}" + (f" <{contact}>" if contact else "")
    if "since" not in who:
        return [head + " (a person, not a rota)"]
    via = f" on rota {who['rota']}" if role == "backup" else ""
    return [head + via + (" (override)" if who["override"] else ""),
            f"    since {who['since']} (hand-over from {who['from']})",
            f"    until {who['until']} (hand-over to {who['to']})"]


def _text(report: dict[str, Any]) -> str:
    lines = [f"rota {report['rota']} ({report['timezone']}) at {report['at']}:"]
    return "\n".join(lines + _line("primary", report["primary"]) +
                     _line("backup", report["backup"]))
