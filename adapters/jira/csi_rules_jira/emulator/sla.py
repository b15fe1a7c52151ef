"""JSM SLA cycles computed from an issue's history, as servicedeskapi reports them.

Each SLA metric has its own start, stop and pause conditions, as JSM configures them:
a cycle opens on a start event when none is running, closes on a stop event, and does not
count time while the issue sits in a pause status. Events, named as in JSM's SLA editor:
`issue_created`, `status_entered:<name>`, `status_left:<name>`, `resolution_set`,
`resolution_cleared` and `comment_for_customers` (a public comment by someone other than the
reporter). So "Time to first response" (start: created only) never runs twice, while "Time to
resolution" (start: created or resolution cleared) gets a new cycle when an issue is reopened.
Elapsed time is counted around the clock; `withinCalendarHours` reflects the SLA's calendar
(24/7 or Mon-Fri 09:00-17:00 UTC) at the moment of the request. Both simplifications are
deliberate for an emulator.
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


def _in_calendar(calendar: str, now: datetime) -> bool:
    if calendar != "business":
        return True
    return now.weekday() < 5 and 9 <= now.hour < 17


def conditions(sla: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """(start, stop, pause statuses) of one SLA; a seed with only `stop_statuses` stops on
    entering them and starts at creation only."""
    start = set(sla.get("start", ["issue_created"]))
    stop = set(sla.get("stop", [f"status_entered:{s}" for s in sla.get("stop_statuses", ())]))
    return start, stop, set(sla.get("pause_statuses", ()))


def events(issue: Issue) -> list[tuple[datetime, set[str], str | None]]:
    """(when, event names, status after) for every change that can start or stop an SLA."""
    out: list[tuple[datetime, set[str], str | None]] = []
    for entry in issue.changelog:
        for item in entry["items"]:
            if item.get("fieldId") == "status":
                out.append((entry["created"], {f"status_entered:{item['toString']}",
                                               f"status_left:{item['fromString']}"},
                            item["toString"]))
            elif item.get("fieldId") == "resolution":
                name = "resolution_set" if item.get("toString") else "resolution_cleared"
                out.append((entry["created"], {name}, None))
    for comment in issue.comments:
        internal = (comment.properties.get("sd.public.comment") or {}).get("internal", False)
        if not internal and comment.author != issue.reporter:
            out.append((comment.created, {"comment_for_customers"}, None))
    return sorted(out, key=lambda e: e[0])


def cycles(issue: Issue, sla: dict[str, Any], now: datetime) -> tuple[list[dict[str, Any]],
                                                                     dict[str, Any] | None]:
    """(completed cycles, ongoing cycle or None), each {start, stop?, elapsed ms, paused}."""
    start_on, stop_on, pauses = conditions(sla)
    changes = [(e["created"], i) for e in issue.changelog for i in e["items"]
               if i.get("fieldId") == "status"]
    status = changes[0][1]["fromString"] if changes else issue.status
    done: list[dict[str, Any]] = []
    cycle: dict[str, Any] | None = None
    if "issue_created" in start_on:
        cycle = {"start": issue.created, "elapsed": 0}
    last = issue.created
    for when, names, after in events(issue):
        if cycle is not None and status not in pauses:
            cycle["elapsed"] += int((when - last).total_seconds() * 1000)
        last = when
        status = after or status
        if cycle is not None and names & stop_on:
            done.append({**cycle, "stop": when})
            cycle = None
        elif cycle is None and names & start_on:
            cycle = {"start": when, "elapsed": 0}
    if cycle is not None:
        if status not in pauses:
            cycle["elapsed"] += int((now - last).total_seconds() * 1000)
        cycle["paused"] = status in pauses
    return done, cycle


def sla_info(issue: Issue, sla: dict[str, Any], now: datetime, view: View,
             base: str) -> dict[str, Any]:
    """SlaInformationDTO for one SLA of one issue."""
    goal = int(sla["goal_minutes"]) * 60_000
    completed, cycle = cycles(issue, sla, now)
    out: dict[str, Any] = {"id": str(sla["id"]), "name": sla["name"],
                           "_links": {"self": f"{base}/sla/{sla['id']}"},
                           "completedCycles": [], "slaDisplayFormat": "NEW_SLA_FORMAT"}
    for done in completed:
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
