"""The shipped policies' own tests, run a second time on records that came from Jira.

Each single-record test of `policies/tests/` is written onto the emulator's JSM project ITSM as
an agent would: created (POST /rest/api/2/issue) at its `opened_at`, moved through statuses with
the transitions API and edited with PUT at the times its history gives (the shared fake clock
moves between writes, so the emulator keeps the changelog as Jira would). The record is fetched
back through the adapter and the same expectations must hold on it.

Status names come from the adapter's own mapping (csi_rules_jira/states.py) read in reverse over
the ITSM workflow's statuses, and `test_itsm_workflow_reads_as_the_contract` pins what that
mapping must give; a drift between the vocabulary policies speak and what the adapter emits fails
here. What Jira cannot hold the way the test record does (`not_carried`, an unreachable status
sequence) is skipped with the reason, never silently passed.

What the site needs beside the seed, as an admin would have it: custom fields for the record
fields the seed has no field for (`SITE_FIELDS`, mapped through `field_map`; `RAW_FIELDS`, the
site's own fields policies read as raw.<name>, through `raw_fields`), and the people the
tests name (on Cloud a person is an accountId; the harness gives each the test's name as id).
JSM creates approvals itself when a workflow's approval step runs; the emulator does not, so
the harness adds the approval to the issue and answers it through the JSM REST API.
"""

from __future__ import annotations

import json
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from csi_rules.plugins import load_plugins
from csi_rules.records import Record
from csi_rules.records.model import parse_datetime
from csi_rules.records.vocabulary import STATES
from csi_rules.testing.rerun import rerun_on, single_record_tests
from csi_rules_jira.config import DEFAULT_PRIORITY_MAP
from csi_rules_jira.emulator import seed as emulator_seed
from csi_rules_jira.emulator.model import Approval, User
from csi_rules_jira.states import StatusMapper
from csi_rules_jira.values import change_type, level, risk


def _conftest() -> Any:
    """The adapter config the Jira tests share (tests run in importlib mode: load by path)."""
    import importlib.util
    import sys

    name = "csi_rules_jira_tests_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("conftest.py"))
        assert spec and spec.loader
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


FIELD_MAP: dict[str, str] = _conftest().FIELD_MAP
SEED = json.loads((Path(emulator_seed.__file__).with_name("data") / "default_seed.json")
                  .read_text())
ROOT = Path(__file__).resolve().parents[3]
PROJECT = "ITSM"
AUTH = ("mia@example.com", "emulator-api-token")  # the emulator seed's admin (emulator-only)
ISSUE_TYPES = {"incident": "Incident", "change": "Change", "request": "Service Request",
               "problem": "Problem"}
# Record fields the seed has no Jira field for: the admin's own custom fields (id, type).
SITE_FIELDS = {"category": ("customfield_20001", "textfield"),
               "subcategory": ("customfield_20002", "textfield"),
               "implementation_plan": ("customfield_20003", "textarea"),
               "test_plan": ("customfield_20004", "textarea"),
               "service_tier": ("customfield_20005", "textfield"),
               "reassignment_count": ("customfield_20006", "float"),  # kept by automation
               "reopen_count": ("customfield_20007", "float")}
GOLDEN_FIELD_MAP = {**FIELD_MAP, **{name: fid for name, (fid, _) in SITE_FIELDS.items()}}
# The site's own fields policies read as raw.<name> (the adapter's raw_fields setting).
RAW_FIELDS = {"u_vip": ("customfield_20101", "textfield"),
              "change_model": ("customfield_20102", "textfield"),
              "release_day": ("customfield_20103", "textfield"),
              "affected_users": ("customfield_20104", "float")}
GOLDEN_RAW_FIELDS = {name: fid for name, (fid, _) in RAW_FIELDS.items()}
# What the ITSM workflow's statuses must read as, per kind: the contract the shipped policies
# speak. A change to states.py that moves one of these is a vocabulary drift.
ITSM_READS = {
    "incident": {"Waiting for support": "new", "In Progress": "in_progress",
                 "Waiting for customer": "on_hold", "Awaiting approval": "on_hold",
                 "Resolved": "resolved", "Closed": "closed", "Declined": "canceled"},
    "change": {"Waiting for support": "new", "In Progress": "implement",
               "Waiting for customer": "implement", "Awaiting approval": "authorize",
               "Resolved": "closed", "Closed": "closed", "Declined": "canceled"},
    "request": {"Waiting for support": "open", "In Progress": "in_progress",
                "Waiting for customer": "on_hold", "Awaiting approval": "pending",
                "Resolved": "closed_complete", "Closed": "closed_complete",
                "Declined": "canceled"},
}
HOLD_STATUS = {"awaiting_caller": "Waiting for customer", "awaiting_approval": "Awaiting approval"}
PLACED = {"id", "kind", "number", "platform", "history", "state", "hold_reason", "opened_at",
          "approval"}


CASES = single_record_tests(ROOT / "policies" / "tests")


WORKFLOW = SEED["workflows"]["itsm"]
CATEGORY = {s["name"]: s["category"] for s in WORKFLOW["statuses"]}


def reads(kind: str) -> dict[str, str]:
    """Each ITSM status as the adapter's mapping reads it for `kind`."""
    mapper = StatusMapper()
    for name, category in CATEGORY.items():
        mapper.learn({"name": name, "statusCategory": {"key": category}})
    return {name: str(mapper.state(kind, PROJECT, name)) for name in CATEGORY}


def status_for(kind: str, state: str, hold_reason: str | None) -> str | None:
    """The ITSM status that reads as `state` (the mapping in reverse); None when none does."""
    names = [name for name, read in reads(kind).items() if read == state]
    preferred = HOLD_STATUS.get(hold_reason or "awaiting_caller")
    return preferred if preferred in names else (names[0] if names else None)


def path_to(current: str, target: str) -> list[dict[str, Any]] | None:
    """The shortest chain of workflow transitions from `current` to `target`."""
    queue: deque[tuple[str, list[dict[str, Any]]]] = deque([(current, [])])
    seen = {current}
    while queue:
        status, chain = queue.popleft()
        if status == target:
            return chain
        for t in WORKFLOW["transitions"]:
            if (t["from"] == "*" or status in t["from"]) and t["to"] not in seen:
                seen.add(t["to"])
                queue.append((t["to"], [*chain, t]))
    return None


def _reverse(options: list[str], read: Any) -> dict[Any, str]:
    out: dict[Any, str] = {}
    for option in options:
        out.setdefault(read(option), option)
    return out


OPTIONS = {f["id"]: f.get("options", []) for f in SEED["fields"]}
PRIORITY_NAMES = {v: k for k, v in reversed(list(DEFAULT_PRIORITY_MAP.items()))
                  if k in ("Highest", "High", "Medium", "Low", "Lowest")}
OPTION_READS = {"impact": level, "urgency": level, "risk": risk, "change_type": change_type}


def option_for(name: str, value: Any) -> str | None:
    return _reverse(OPTIONS[FIELD_MAP[name]], OPTION_READS[name]).get(value)


def jira_time(value: Any, name: str) -> str:
    moment = value if isinstance(value, datetime) else parse_datetime(value, name)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def not_carried(record: Record) -> str | None:
    """Why a Jira site cannot hold this record as written, or None."""
    raw = record.data.get("raw") or {}
    unplaced_raw = sorted(k for k in raw if k not in RAW_FIELDS)
    if unplaced_raw:
        return f"no site field for raw.{unplaced_raw[0]} in this harness"
    typed = sorted(k for k, v in raw.items()
                   if isinstance(v, bool) or (RAW_FIELDS[k][1] == "textfield") != isinstance(v, str))
    if typed:
        return (f"raw.{typed[0]} is {type(raw[typed[0]]).__name__}; its Jira field holds "
                f"{'text' if RAW_FIELDS[typed[0]][1] == 'textfield' else 'numbers'}")
    if record.kind not in ISSUE_TYPES:
        return f"no issue type for {record.kind} in this harness"
    unplaced = sorted(k for k in record.data if k not in PLACED and k not in GOLDEN_FIELD_MAP
                      and k not in ("raw", "priority", "assignee", "configuration_items",
                                    "short_description", "description"))
    if unplaced:
        return f"no Jira field for {', '.join(unplaced)} in this harness"
    history = sorted(record.data.get("history") or (), key=lambda h: h["at"])
    states = [h["from"] for h in history if h["field"] == "state"][:1] or [record.data.get("state")]
    states += [h["to"] for h in history if h["field"] == "state"]
    current = next(iter(CATEGORY))
    for state in [s for s in states if s is not None]:
        target = status_for(record.kind, state, record.data.get("hold_reason"))
        if target is None:
            if state in STATES.get(record.kind, ()) and state not in ITSM_READS[record.kind].values():
                return (f"no status of the ITSM workflow reads as {record.kind} state {state!r} "
                        f"(its statuses read as {sorted(set(ITSM_READS[record.kind].values()))})")
            return None  # a drift: let the test fail on it
        if path_to(current, target) is None:
            return (f"the ITSM workflow has no transition path from {current!r} to {target!r} "
                    f"({record.kind} state {state!r}; Declined is reached only by a declined "
                    "approval)")
        current = target
    return None


class Site:
    """The emulator seen through its REST APIs, as the seed's admin."""

    def __init__(self, emulator: Any, clock: Any):
        self.emulator, self.clock, self.url = emulator, clock, emulator.url

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}{path}", auth=AUTH, timeout=5,
                                    headers={"Accept": "application/json"}, **kwargs)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def person(self, name: str) -> dict[str, str]:
        users = self.emulator.site.users
        if name not in users and self.emulator.site.user(name) is None:
            users[name] = User(name, name, name.title(), f"{name}@example.com", "UTC")
        return {"accountId": self.emulator.site.user(name).account_id}

    def fields(self, values: dict[str, Any]) -> dict[str, Any]:
        """Record field values -> Jira REST v2 `fields`."""
        out: dict[str, Any] = {}
        for name, value in values.items():
            if name in PLACED:
                continue
            if name == "priority":
                out["priority"] = {"name": PRIORITY_NAMES[value]}
            elif name == "assignee":
                out["assignee"] = self.person(value) if value else None
            elif name == "configuration_items":
                out["components"] = [{"name": c} for c in value or ()]
            elif name == "short_description":
                out["summary"] = value
            elif name == "description":
                out["description"] = value
            elif name in OPTION_READS:
                out[FIELD_MAP[name]] = {"value": option_for(name, value)}
            elif name == "assignment_group":
                out[FIELD_MAP[name]] = {"name": value} if value else None
            elif name in ("planned_start", "planned_end"):
                out[FIELD_MAP[name]] = jira_time(value, name)
            elif name in GOLDEN_FIELD_MAP:
                out[GOLDEN_FIELD_MAP[name]] = value
            elif name == "raw":
                out.update({RAW_FIELDS[k][0]: v for k, v in value.items()})
        return out

    def move(self, key: str, kind: str, state: str, hold_reason: str | None) -> None:
        target = status_for(kind, state, hold_reason)
        assert target is not None, f"no ITSM status reads as {kind} state {state!r}: a drift"
        current = self.emulator.site.issue(key).status
        for transition in path_to(current, target) or ():
            self.call("POST", f"/rest/api/2/issue/{key}/transitions",
                      json={"transition": {"id": transition["id"]}})

    def approve(self, key: str, approval: str) -> None:
        """What JSM's approval step does (the emulator has no such step), then the answer."""
        if approval == "not_requested":
            return
        issue = self.emulator.site.issue(key)
        me = self.emulator.site.user("mia").account_id
        issue.approvals.append(Approval(f"9{issue.id}", "Change approval", {me: "pending"},
                                        "pending", self.clock.now))
        if approval in ("approved", "rejected"):
            decision = "approve" if approval == "approved" else "decline"
            self.call("POST", f"/rest/servicedeskapi/request/{key}/approval/9{issue.id}",
                      json={"decision": decision})


def add_site_fields(emulator: Any) -> None:
    for name, (field_id, kind) in {**SITE_FIELDS, **RAW_FIELDS}.items():
        schema_type = "number" if kind == "float" else "string"
        emulator.site.fields[field_id] = {
            "id": field_id, "name": name.replace("_", " ").capitalize(), "custom": True,
            "schema": {"type": schema_type, "custom":
                       f"com.atlassian.jira.plugin.system.customfieldtypes:{kind}"}}


def write(site: Site, clock: Any, record: Record, now: datetime) -> str:
    """Create the issue at its opening and replay its history; returns its key."""
    history = sorted(record.data.get("history") or (), key=lambda h: h["at"])
    initial: dict[str, Any] = {k: v for k, v in record.data.items() if k not in PLACED}
    first_state = record.data.get("state")
    for entry in reversed(history):  # each field starts as the `from` of its first change
        if entry["field"] == "state":
            first_state = entry.get("from")
        else:
            initial[entry["field"]] = entry.get("from")
    clock.now = record.get("opened_at") or now  # a record without one was opened just now
    fields = {"project": {"key": PROJECT}, "issuetype": {"name": ISSUE_TYPES[record.kind]},
              "summary": record.id, **site.fields({k: v for k, v in initial.items()
                                                    if v is not None})}
    key = site.call("POST", "/rest/api/2/issue", json={"fields": fields})["key"]
    hold = record.data.get("hold_reason")
    if first_state is not None:
        site.move(key, record.kind, first_state, hold)
    site.approve(key, record.data.get("approval") or "not_requested")
    for entry in history:
        clock.now = max(clock.now, parse_datetime(entry["at"], "history"))
        if entry["field"] == "state":
            site.move(key, record.kind, entry["to"], hold)
        else:
            site.call("PUT", f"/rest/api/2/issue/{key}",
                      json={"fields": site.fields({entry["field"]: entry.get("to")})})
    return key


def test_itsm_workflow_reads_as_the_contract():
    """The statuses the golden cases are written with read as the contract says (no drift)."""
    assert {kind: reads(kind) for kind in ITSM_READS} == ITSM_READS


@pytest.mark.parametrize("test", CASES, ids=[f"{Path(c.file).stem}:{c.line}" for c in CASES])
def test_policy_test_holds_on_records_read_from_jira(test, emulator, make_adapter, clock):
    reason = not_carried(test.record)
    if reason:
        pytest.skip(f"not held by Jira as written: {reason}")
    add_site_fields(emulator)
    key = write(Site(emulator, clock), clock, test.record, test.now)
    fetched = make_adapter(emulator, field_map=GOLDEN_FIELD_MAP,
                           raw_fields=GOLDEN_RAW_FIELDS).fetch_record(key)
    result = rerun_on(test, fetched, load_plugins(entry_points=False))
    assert result.passed, f"{test.name}\n{result.diff}"
