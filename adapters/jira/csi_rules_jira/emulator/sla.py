"""JSM SLA cycles computed from an issue's status history, as servicedeskapi reports them.

A cycle starts when the issue is created (or re-enters a running status after a stop) and
stops on a stop status; time spent in a pause status does not count. Elapsed time is counted
around the clock; `withinCalendarHours` reflects the SLA's calendar (24/7 or Mon-Fri 09:00-17:00
UTC) at the moment of the request. Both simplifications are deliberate for an emulator.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from csi_rules_jira.emulator.model import Issue
from csi_rules_jira.emulator.render import View


def duration(ms: int) -> dict[str, Any]:
    """DurationDTO; `friendly` mirrors JSM's odd `"<hours>h <total minutes>m"` form."""
    hours, minutes = int(ms / 3_600_000), int(ms / 60_000)
    return {"millis": ms, "friendly": f"{hours}h {minutes}m"}


def date(view: View, when: datetime) -> dict[str, Any]:
    """DateDTO: iso8601, jira, friendly and epochMillis in the viewer's zone."""
    local = when.astimezone(view.zone)
    offset = local.strftime("%z")
    seconds = local.strftime("%Y-%m-%dT%H:%M:%S")
    return {"iso8601": seconds + offset,
            "jira": f"{seconds}.{local.microsecond // 1000:03d}{offset}",
            "friendly": local.strftime("%d/%b/%y %I:%M %p"),
            "epochMillis": int(when.timestamp() * 1000)}


def status_segments(issue: Issue, now: datetime) -> list[tuple[str, datetime, datetime]]:
    """(status, from, to) from creation until `now`, rebuilt from the changelog."""
    changes = [(entry["created"], item) for entry in issue.changelog for item in entry["items"]
               if item.get("fieldId") == "status"]
    current = changes[0][1]["fromString"] if changes else issue.status
    start = issue.created
    out = []
    for when, item in changes:
        out.append((current, start, when))
        current, start = item["toString"], when
    out.append((current, start, now))
    return out


def _in_calendar(calendar: str, now: datetime) -> bool:
    if calendar != "business":
        return True
    return now.weekday() < 5 and 9 <= now.hour < 17


def sla_info(issue: Issue, sla: dict[str, Any], now: datetime, view: View,
             base: str) -> dict[str, Any]:
    """SlaInformationDTO for one SLA of one issue."""
    goal = int(sla["goal_minutes"]) * 60_000
    stops, pauses = set(sla.get("stop_statuses", ())), set(sla.get("pause_statuses", ()))
    cycles: list[dict[str, Any]] = []
    cycle: dict[str, Any] | None = None
    for status, start, end in status_segments(issue, now):
        if status in stops:
            if cycle is not None:
                cycle["stop"] = start
                cycles.append(cycle)
                cycle = None
            continue
        if cycle is None:
            cycle = {"start": start, "elapsed": 0, "paused": False}
        if status in pauses:
            cycle["paused"] = True
        else:
            cycle["elapsed"] += int((end - start).total_seconds() * 1000)
            cycle["paused"] = False
    out: dict[str, Any] = {"id": str(sla["id"]), "name": sla["name"],
                           "_links": {"self": f"{base}/sla/{sla['id']}"},
                           "completedCycles": [], "slaDisplayFormat": "NEW_SLA_FORMAT"}
    for done in cycles:
        elapsed = done["elapsed"]
        out["completedCycles"].append({
            "startTime": date(view, done["start"]), "stopTime": date(view, done["stop"]),
            "breached": elapsed > goal, "goalDuration": duration(goal),
            "elapsedTime": duration(elapsed), "remainingTime": duration(goal - elapsed)})
    if cycle is not None:
        elapsed = cycle["elapsed"]
        ongoing: dict[str, Any] = {
            "startTime": date(view, cycle["start"]), "breached": elapsed > goal,
            "paused": cycle["paused"], "withinCalendarHours": _in_calendar(
                str(sla.get("calendar", "24/7")), now),
            "goalDuration": duration(goal), "elapsedTime": duration(elapsed),
            "remainingTime": duration(goal - elapsed)}
        if not cycle["paused"]:
            ongoing["breachTime"] = date(view, now + timedelta(milliseconds=goal - elapsed))
        out["ongoingCycle"] = ongoing
    return out
