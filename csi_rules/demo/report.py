"""Print what the demo's runner cycle decided and did, grouped the way a service desk reads it.

Plain sentences, not data structures: one summary line for the cycle, a few examples per kind
of decision (the most recently opened tickets first, so the live-looking ones lead), then
every failed action with its reason and why it remains.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from csi_rules.change.gate import evaluate_gate
from csi_rules.change.schedule import conflicts_with
from csi_rules.demo.limits import platform, why_failed
from csi_rules.demo.live import LiveRun
from csi_rules.policy.model import PolicySet

SECTIONS = (
    ("Routing", ("RoutingPolicy",)),
    ("SLA warnings and breaches", ("SlaPolicy",)),
    ("Escalations", ("EscalationPolicy",)),
    ("CAB routes", ("CabRoutingPolicy",)),
)
STATUSES = ("applied", "already_applied", "skipped", "failed")
WIDTH = 100
OLDEST = datetime.min.replace(tzinfo=UTC)


def _wrap(text: str, indent: str, first: str = "") -> str:
    """`text` filled to WIDTH; `first` (a bullet) starts the first line, the rest align."""
    return textwrap.fill(text, WIDTH, initial_indent=indent + first,
                         subsequent_indent=indent + " " * len(first) + "  ",
                         break_on_hyphens=False, break_long_words=False)


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def cycle_summary(run: LiveRun) -> list[str]:
    """"synced 72 ServiceNow and 6 Jira records; 605 decisions; actions: 230 applied, ..."."""
    report = run.cycle.to_json()
    where = " and ".join(f"{n} {platform(name)}" for name, n in run.cycle.synced.items()) or "no"
    decisions = _decisions(run)
    statuses = Counter(a["status"] for e in decisions for a in e["actions"])
    done = ", ".join(f"{statuses.get(s, 0)} {s.replace('_', ' ')}" for s in STATUSES)
    others = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()) if s not in STATUSES)
    lines = [f"synced {where} records; {_count(len(decisions), 'decision')}; "
             f"actions: {done}" + (f", {others}" if others else "")]
    first_seen, set_aside = report.get("first_seen"), report.get("set_aside")
    if first_seen:
        lines.append(f"{_count(int(str(first_seen)), 'ticket')} seen for the first time: one "
                     f"catch-up decision per SLA metric and escalation ladder; "
                     f"{_count(int(str(set_aside or 0)), 'earlier crossing')} recorded, "
                     f"not acted on")
    for error in run.cycle.errors:
        lines.append(f"error: {error}")
    return lines


def _decisions(run: LiveRun) -> list[dict[str, Any]]:
    return [e for e in run.audit if e.get("type") == "decision"]


def _opened(run: LiveRun, entry: dict[str, Any]) -> datetime:
    record = run.records.get(entry["record"]["label"])
    opened = record.data.get("opened_at") if record is not None else None
    return opened if isinstance(opened, datetime) else OLDEST


def _action_text(action: dict[str, Any], width: int = 0) -> str:
    """`type(params) → status`, with the reason when skipped or failed (cut to `width`)."""
    params = ", ".join(f"{k}={v!r}" for k, v in action["params"].items())
    text = f"{action['type']}({params}) → {action['status'].replace('_', ' ')}"
    detail = str(action.get("detail") or "")
    if action["status"] in ("failed", "skipped") and detail:
        if width and len(detail) > width:
            detail = detail[: width - 1] + "…"
        text += f": {detail}"
    return text


def _print_entry(entry: dict[str, Any]) -> None:
    print(f"     {entry['record']['label']}: {entry['policy']['name']} → "
          f"{entry['rule'] or 'default'}")
    if entry.get("explain"):
        print(_wrap(entry["explain"], "         "))
    for action in entry["actions"]:
        print(_wrap(_action_text(action, width=90), "         ", "· "))


def print_cycle(run: LiveRun, limit: int = 4) -> None:
    for name, url in run.urls.items():
        print(f"   {platform(name)} emulator: {url}")
    for line in cycle_summary(run):
        print(_wrap(line, "   "))
    decisions = _decisions(run)
    for title, kinds in SECTIONS:
        rows = sorted((e for e in decisions if e["policy"]["kind"] in kinds),
                      key=lambda e: _opened(run, e), reverse=True)
        print(f"\n   -- {title}: {_count(len(rows), 'decision')}"
              + (" (most recently opened tickets first)" if len(rows) > limit else ""))
        for entry in rows[:limit]:
            _print_entry(entry)
        if len(rows) > limit:
            print(f"     ... and {len(rows) - limit} more (csi-rules log show --record ID)")
    print_failures(decisions)
    print_delivered(run)


def print_delivered(run: LiveRun) -> None:
    """What arrived at the loopback SMTP server and PagerDuty receiver, as they took it: the
    e-mail and the page about the incident the demo opened, and whether anything came twice."""
    got = run.delivered
    twice = (len(got.emails) - len({e.key for e in got.emails})
             + len(got.pages) - len({(p.event, p.dedup_key) for p in got.pages}))
    print(f"\n   -- Notifications received on loopback: {_count(len(got.emails), 'e-mail')}, "
          f"{_count(len(got.pages), 'page')}, {_count(got.chats, 'chat message')}")
    print(_wrap("by a real SMTP server, a PagerDuty Events API v2 receiver and a Slack webhook "
                "receiver, each checking the documented request format; "
                + ("none arrived twice" if not twice else f"{_count(twice, 'duplicate')}!"),
                "     "))
    if not run.opened:
        return
    print(_wrap(f"{run.opened}: opened by the demo 45 minutes before the cycle (P3, Network "
                "Operations, nobody on it), so the network-on-call ladder reached its first rung:",
                "     "))
    for mail in (e for e in got.emails if e.subject.startswith(f"{run.opened} ")):
        print(_wrap(f"from {mail.sender} to {', '.join(mail.to)}, subject {mail.subject!r}",
                    "       ", "e-mail: "))
    for page in (p for p in got.pages if p.summary.startswith(f"{run.opened} ")):
        print(_wrap(f"{page.event}, dedup_key {page.dedup_key}, summary {page.summary!r}",
                    "       ", "page:   "))


def print_failures(decisions: Sequence[dict[str, Any]]) -> None:
    """Every failed action with the adapter's reason and, when it helps, why it remains."""
    failed = [(e, a) for e in decisions for a in e["actions"] if a["status"] == "failed"]
    print(f"\n   -- Failed actions: {len(failed)}")
    for entry, action in failed:
        adapter = str(entry.get("adapter", ""))
        print(f"     {entry['record']['label']} ({platform(adapter)}): {entry['policy']['name']}"
              f" → {entry['rule'] or 'default'}")
        print(_wrap(_action_text(action), "         ", "· "))
        why = why_failed(adapter, action)
        if why:
            print(_wrap(why, "           ", "why: "))


def print_gates(policy_set: PolicySet, run: LiveRun, now: datetime) -> None:
    changes: Sequence[Any] = run.changes
    print(f"\n   -- Go/no-go for {len(changes)} changes on the platforms")
    for change in changes:
        conflicts = conflicts_with(policy_set, change, list(changes))
        result = evaluate_gate(policy_set, change, now, conflicts)
        failed = ", ".join(f"{c.check} ({c.reason})" for c in result.failed) or "all checks pass"
        print(_wrap(f"{change.label}: {result.verdict}: {failed}", "     "))
        for conflict in conflicts:
            print(_wrap(f"conflict: {conflict.explanation}", "         "))
