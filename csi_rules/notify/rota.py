"""Who is on call: a rota's members taking turns (daily or weekly) at a local hand-over time,
with overrides for holidays and swaps. Time zones and DST come from the calendar code: the
hand-over is at the wall-clock time in the rota's zone, whatever the UTC offset that day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from csi_rules.calendars.instants import from_us, to_us, wall_to_us
from csi_rules.calendars.zones import load_zone
from csi_rules.errors import UsageError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Member:
    name: str
    contacts: Mapping[str, str]  # email, phone, ...: what a channel addresses

    def address(self, kind: str) -> str:
        return self.contacts.get(kind) or self.name


@dataclass(frozen=True)
class Override:
    start: datetime
    end: datetime
    member: Member


@dataclass(frozen=True)
class Rota:
    name: str
    zone: str
    rotation: str  # daily | weekly
    handover_minute: int
    handover_day: int  # 0 = monday (weekly)
    start: date
    members: tuple[Member, ...]
    overrides: tuple[Override, ...] = ()
    backup: str = ""

    def on_call(self, now: datetime) -> Member:
        """The member on call at `now` (an aware instant)."""
        return self.shift(now).member

    def shift(self, now: datetime) -> Shift:
        """Who is on call at `now` and between which hand-overs (an override, or the turn
        cut short by an override next to it), as instants in the rota's zone."""
        zone = load_zone(self.zone)
        now = now.astimezone(UTC)  # one tzinfo on both sides compares wall clocks: never here
        for o in self.overrides:
            if o.start <= now < o.end:
                return Shift(o.member, o.start.astimezone(zone), o.end.astimezone(zone), True)
        start, end, turn = self._turn(now)
        for o in self.overrides:
            if start < o.end <= now:
                start = o.end
            if now < o.start < end:
                end = o.start
        return Shift(self.members[turn % len(self.members)], start.astimezone(zone),
                     end.astimezone(zone))

    def _turn(self, now: datetime) -> tuple[datetime, datetime, int]:
        """(hand-over that began the turn, the next one, turn number) without overrides."""
        day = from_us(to_us(now), load_zone(self.zone)).date()
        if self._handover(day) > now:
            day -= timedelta(days=1)
        if self.rotation == "weekly":
            day -= timedelta(days=(day.weekday() - self.handover_day) % 7)
            first = self.start - timedelta(days=(self.start.weekday() - self.handover_day) % 7)
            return self._handover(day), self._handover(day + timedelta(days=7)), \
                (day - first).days // 7
        return self._handover(day), self._handover(day + timedelta(days=1)), \
            (day - self.start).days

    def _handover(self, day: date) -> datetime:
        """The hand-over instant of `day`: its wall-clock time in the zone (in a spring-forward
        gap, the instant the clock jumps past it; when it occurs twice, the first time)."""
        return from_us(wall_to_us(load_zone(self.zone), day, self.handover_minute))


@dataclass(frozen=True)
class Shift:
    member: Member
    start: datetime
    end: datetime
    override: bool = False


def _member(raw: Any) -> Member:
    if isinstance(raw, str):
        return Member(raw, {"email": raw} if "@" in raw else {})
    contacts = {k: str(v) for k, v in raw.items() if k != "name"}
    return Member(str(raw["name"]), contacts)


def _instant(text: str, zone: str) -> datetime:
    value = datetime.fromisoformat(str(text))
    return value if value.tzinfo else value.replace(tzinfo=load_zone(zone))


def parse_rota(name: str, spec: Mapping[str, Any]) -> Rota:
    """A rota from a validated `OnCallRota` spec; times without an offset are in its zone."""
    zone = spec.get("timezone", "UTC")
    load_zone(zone)
    hh, mm = (int(p) for p in str(spec.get("handover", "09:00")).split(":"))
    overrides = tuple(Override(_instant(o["from"], zone), _instant(o["until"], zone),
                               _member(o["member"])) for o in spec.get("overrides", ()))
    return Rota(name, zone, spec.get("rotation", "weekly"), hh * 60 + mm,
                DAYS.index(spec.get("handoverDay", "monday")),
                date.fromisoformat(str(spec["start"])),
                tuple(_member(m) for m in spec["members"]), overrides, spec.get("backup", ""))


def resolve(rotas: Mapping[str, Rota], ref: str, now: datetime,
            contact: str = "email") -> Sequence[str]:
    """`NAME` -> who is on call; `NAME:backup` -> who is on call on the backup rota (or the
    backup person)."""
    name, _, part = ref.partition(":")
    rota = rotas.get(name)
    if rota is None:
        raise UsageError(f"no on-call rota {name!r} (rotas: {', '.join(sorted(rotas)) or 'none'})")
    if part == "backup":
        if not rota.backup:
            raise UsageError(f"rota {name} has no backup")
        if rota.backup in rotas:
            return [rotas[rota.backup].on_call(now).address(contact)]
        return [rota.backup]
    if part:
        raise UsageError(f"rota:{ref}: expected rota:NAME or rota:NAME:backup")
    return [rota.on_call(now).address(contact)]
