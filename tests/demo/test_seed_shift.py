"""Seeds shifted to now (`shift_to_now=True`, `csi-rules emulate --relative-dates`): the newest
ticket is an hour old, every other time keeps its distance to it, and without the option the
seed reads exactly as shipped. Checked over HTTP, as an adapter sees it."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

pytest.importorskip("csi_rules_servicenow")
pytest.importorskip("csi_rules_jira")

from csi_rules_jira.emulator import JiraEmulator
from csi_rules_servicenow.emulator.seed import default_seed
from csi_rules_servicenow.emulator.server import ServiceNowEmulator

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SN_FORMAT = "%Y-%m-%d %H:%M:%S"


def _sn_rows(emulator: ServiceNowEmulator, table: str, query: str = "") -> list[dict[str, str]]:
    reply = requests.get(f"{emulator.url}/api/now/table/{table}", auth=("admin", "admin"),
                         params={"sysparm_query": query, "sysparm_limit": "1000"}, timeout=10)
    reply.raise_for_status()
    return list(reply.json()["result"])


def _sn_time(text: str) -> datetime:
    return datetime.strptime(text, SN_FORMAT).replace(tzinfo=UTC)


def _by_number(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["number"]: r for r in rows}


@pytest.fixture(scope="module")
def servicenow_pair(tmp_path_factory):
    """The default seed plus a seeded sys_audit row, loaded as shipped and shifted to NOW."""
    seed = tmp_path_factory.mktemp("seed") / "seed"
    shutil.copytree(Path(str(default_seed())), seed)
    incident = json.loads((seed / "incident.json").read_text("utf-8"))["result"][0]
    (seed / "sys_audit.json").write_text(json.dumps({"result": [{
        "sys_id": "a" * 32, "tablename": "incident", "documentkey": incident["sys_id"],
        "fieldname": "state", "oldvalue": "1", "newvalue": "2", "user": "admin",
        "record_checkpoint": "1", "sys_created_on": "2015-08-13 08:00:00"}]}), "utf-8")
    plain = ServiceNowEmulator(seed_dir=seed, clock=lambda: NOW)
    shifted = ServiceNowEmulator(seed_dir=seed, clock=lambda: NOW, shift_to_now=True)
    with plain, shifted:
        yield plain, shifted


def test_servicenow_newest_ticket_is_an_hour_old_and_spacing_is_kept(servicenow_pair):
    plain, shifted = servicenow_pair
    before = _by_number(_sn_rows(plain, "incident"))
    after = _by_number(_sn_rows(shifted, "incident"))
    newest = max(_sn_time(r[c]) for r in after.values()
                 for c in ("opened_at", "sys_updated_on") if r[c])
    assert newest == NOW - timedelta(hours=1)
    offset = _sn_time(after["INC0000017"]["opened_at"]) - _sn_time(before["INC0000017"]["opened_at"])
    assert offset > timedelta(days=365)  # the samples are from 2015-2023
    for number, row in before.items():
        for column in ("opened_at", "sys_updated_on", "resolved_at", "closed_at"):
            if row[column]:
                assert _sn_time(after[number][column]) - _sn_time(row[column]) == offset


def test_servicenow_shifts_changes_slas_and_audit_rows_but_not_durations(servicenow_pair):
    plain, shifted = servicenow_pair
    before = _by_number(_sn_rows(plain, "change_request"))
    after = _by_number(_sn_rows(shifted, "change_request"))
    offset = (_sn_time(after["CHG0000001"]["opened_at"])
              - _sn_time(before["CHG0000001"]["opened_at"]))
    for column in ("start_date", "end_date", "sys_updated_on"):
        assert _sn_time(after["CHG0000001"][column]) - _sn_time(before["CHG0000001"][column]) \
            == offset
    seeded = {r["sys_id"]: r for r in _sn_rows(shifted, "sys_audit", "fieldname=state")}
    assert seeded["a" * 32]["sys_created_on"] == (
        _sn_time("2015-08-13 08:00:00") + offset).strftime(SN_FORMAT)
    problem_before = _sn_rows(plain, "problem", "number=PRB0000050")[0]
    problem_after = _sn_rows(shifted, "problem", "number=PRB0000050")[0]
    assert problem_after["calendar_duration"] == problem_before["calendar_duration"]
    assert problem_before["calendar_duration"].startswith("1970-01-01")


def test_servicenow_without_the_option_reads_the_seed_as_shipped(servicenow_pair):
    plain, _ = servicenow_pair
    shipped = json.loads((Path(str(default_seed())) / "incident.json").read_text("utf-8"))
    first = shipped["result"][0]
    row = _sn_rows(plain, "incident", f"sys_id={first['sys_id']}")[0]
    for column in ("opened_at", "sys_updated_on"):
        value = first[column]["value"] if isinstance(first[column], dict) else first[column]
        assert row[column] == value


JIRA_SEED_ISSUES = [
    {"key": "ITSM-7", "type": "Incident", "summary": "Old", "created": "2021-05-01T10:00:00+00:00",
     "history": [{"at": "2021-05-01T12:00:00+00:00", "status": "In Progress"}]},
    {"key": "ITSM-8", "type": "Incident", "summary": "Newest", "created": "2021-05-03T10:00:00+00:00"},
    {"key": "ITSM-9", "type": "Incident", "summary": "Relative", "created": "-2h"},
]


def _jira(shift: bool) -> JiraEmulator:
    from csi_rules_jira.emulator.seed import load_seed

    seed: dict[str, Any] = load_seed(None)
    seed["issues"] = [dict(i, reporter="casey", status="Waiting for support")
                      for i in JIRA_SEED_ISSUES]
    return JiraEmulator(seed=seed, clock=lambda: NOW, shift_to_now=shift)


def _jira_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _jira_times(emulator: JiraEmulator, key: str) -> tuple[datetime, list[datetime]]:
    reply = requests.get(f"{emulator.url}/rest/api/3/issue/{key}", params={"expand": "changelog"},
                         auth=("mia@example.com", "emulator-api-token"), timeout=10)
    reply.raise_for_status()
    body = reply.json()
    parse = _jira_time
    return (parse(body["fields"]["created"]),
            [parse(h["created"]) for h in body["changelog"]["histories"]])


def test_jira_absolute_seed_times_move_to_now_and_relative_ones_stay():
    with _jira(shift=False) as plain, _jira(shift=True) as shifted:
        assert _jira_times(shifted, "ITSM-8")[0] == NOW - timedelta(hours=1)
        offset = _jira_times(shifted, "ITSM-8")[0] - _jira_times(plain, "ITSM-8")[0]
        created_before, history_before = _jira_times(plain, "ITSM-7")
        created_after, history_after = _jira_times(shifted, "ITSM-7")
        assert created_after - created_before == offset
        assert [a - b for a, b in zip(history_after, history_before, strict=True)] \
            == [offset] * len(history_before)
        assert created_before == datetime(2021, 5, 1, 10, tzinfo=UTC)
        assert _jira_times(shifted, "ITSM-9")[0] == _jira_times(plain, "ITSM-9")[0] \
            == NOW - timedelta(hours=2)
