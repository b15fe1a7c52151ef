"""Build the emulator seeds from the shared real data (run by hand; outputs are committed).

    python adapters/servicenow/scripts/build_seed.py [--shared /work/shared]

Writes three seed directories, each with a SOURCE.md saying where every file comes from:
  csi_rules_servicenow/emulator/seed/   default seed (IBM REST incidents, StackState changes, ...)
  tests/data/docs_seed/                 the official docs' example records, for fidelity tests
  tests/data/uci_seed/                  100 incidents of the UCI event log (4-level priority)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent.parent
DEFAULT_OUT = HERE / "csi_rules_servicenow" / "emulator" / "seed"
DOCS_OUT = HERE / "tests" / "data" / "docs_seed"
UCI_OUT = HERE / "tests" / "data" / "uci_seed"
ADMIN = "6816f79cc0a8016401c5a33be04be441"
ITIL = "681b365ec0a80164000fb0b05854a0cd"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MATRIX_5 = [[1, 2, 3], [2, 3, 4], [3, 4, 5]]
MATRIX_4 = [[1, 2, 3], [2, 3, 4], [3, 4, 4]]


def synthetic_id(*parts: str) -> str:
    return hashlib.md5("|".join(parts).encode()).hexdigest()


def write(out: Path, name: str, rows: Any) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if isinstance(rows, list):  # one record per line: small files, readable diffs
        lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
        text = '{"result": [\n' + lines + "\n]}\n"
    else:
        text = json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
    (out / name).write_text(text, "utf-8")


def values(record: dict[str, Any]) -> dict[str, str]:
    """A display_value=all record -> its raw values (what the instance stores)."""
    out = {}
    for key, cell in record.items():
        value = cell.get("value") if isinstance(cell, dict) else cell
        out[key] = "" if value is None else str(value)
    return out


def users(extra: dict[str, str]) -> list[dict[str, str]]:
    known = {
        ADMIN: ("admin", "System Administrator"),
        ITIL: ("itil", "ITIL User"),
        "46d44a23a9fe19810012d100cca80666": ("beth.anglin", "Beth Anglin"),
        "5137153cc611227c000bbd1bd8cd2007": ("david.loo", "David Loo"),
    }
    rows = [
        {"sys_id": k, "user_name": u, "name": n, "active": "true"} for k, (u, n) in known.items()
    ]
    for sys_id, name in extra.items():
        if sys_id not in known:
            rows.append(
                {
                    "sys_id": sys_id,
                    "user_name": name.lower().replace(" ", "."),
                    "name": name,
                    "active": "true",
                }
            )
    return rows


def build_default(shared: Path, out: Path) -> None:
    data = shared / "data" / "servicenow_table_api_samples"
    docs = shared / "reference" / "samples" / "servicenow"
    incidents = list(csv.DictReader((data / "ibm_incidents_REST.csv").open(encoding="utf-8")))
    for row in incidents:
        row["state"] = row["incident_state"]  # the export omits `state`; the platform mirrors it
        row["sys_class_name"] = "incident"
    write(out, "incident.json", incidents)

    changes = [
        values(r) for r in json.loads((data / "stackstate_CHG0000001.json").read_text())["result"]
    ]
    changes += [
        values(r) for r in json.loads((data / "stackstate_planned_crs.json").read_text())["result"]
    ]
    write(out, "change_request.json", changes)

    problem = json.loads((docs / "table_get_list_1.json").read_text())["result"]
    problem.append(
        {
            "sys_id": "a9e4890bc6112276003d7a5a5c774a74",
            "number": "PRB0000006",
            "short_description": "(synthetic) parent problem referenced by CHG0000001",
            "state": "1",
            "sys_class_name": "problem",
            "active": "true",
        }
    )
    write(out, "problem.json", problem)

    groups = {
        "287ebd7da9fe198100f92cc8d1d2154e": "Service Desk",
        "8a5055c9c61122780043563ef53438e3": "Hardware",
        "8a4dde73c6112278017a6a4baf547aa7": "Software",
        "d625dccec0a8016700a222a0f7900d06": "Network",
        "287ee6fea9fe198100ada7950d0b1b73": "Database",
        "5f721d93c0a8010e015533746de18bf9": "ITSM Engineering",
        "36c741fa731313005754660c4cf6a70d": "Group 36c741fa",
    }
    write(
        out,
        "sys_user_group.json",
        [{"sys_id": k, "name": v, "active": "true"} for k, v in groups.items()],
    )
    approvers = {synthetic_id("user", n): n for n in ("Fred Luddy", "Don Goodliffe", "Bow Ruggeri")}
    others = {
        k: f"User {k[:8]}"
        for row in incidents
        for k in (row["opened_by"], row["closed_by"], row["resolved_by"])
        if len(k) == 32
    }
    write(out, "sys_user.json", users({**others, **approvers}))

    cis = json.loads((data / "stackstate_cmdb_ci_result_200.json").read_text())["result"]
    cis = [{k: ("" if v is None else v) for k, v in ci.items()} for ci in cis]
    for sys_id, name in (
        ("a9c0c8d2c6112276018f7705562f9cb0", "Sales Force Automation"),
        ("b0cb50c3c0a8000900893e69d3c5885e", "ApplicationServerPeopleSoft"),
        ("3a63d606c611222500487ae00a5bf3b8", "AS400"),
    ):
        cis.append({"sys_id": sys_id, "name": name, "maintenance_schedule": ""})
    cis[-1]["maintenance_schedule"] = synthetic_id("schedule", "Weekend maintenance")
    write(out, "cmdb_ci.json", cis)

    chg1 = changes[0]
    approvals, journal = [], []
    history = json.loads((data / "stackstate_CHG0000001.json").read_text())["result"][0]
    text = history["approval_history"]["display_value"]
    for block in reversed([b for b in text.split("\n\n") if b.strip()]):
        head, _, body = block.partition("\n")
        local = datetime.strptime(head[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=AMSTERDAM)
        utc = local.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
        journal.append(
            {
                "sys_id": synthetic_id("journal", head, body),
                "element": "approval_history",
                "element_id": chg1["sys_id"],
                "name": "change_request",
                "value": body,
                "sys_created_on": utc,
                "sys_created_by": "admin",
            }
        )
    for sys_id, name in approvers.items():
        state = "approved" if name == "Bow Ruggeri" else "requested"
        approvals.append(_approval(chg1, sys_id, state))
    approvals.append(_approval(chg1, "5137153cc611227c000bbd1bd8cd2007", "requested"))
    write(out, "sysapproval_approver.json", approvals)
    write(out, "sys_journal_field.json", journal)

    write(
        out,
        "contract_sla.json",
        [
            {
                "sys_id": synthetic_id("sla", str(p)),
                "name": f"Priority {p} resolution ({h} hour)",
                "duration": f"1970-01-{1 + h // 24:02d} {h % 24:02d}:00:00",
                # what the emulator's SLA engine attaches new incidents by (emulator/sla.py)
                "collection": "incident",
                "type": "SLA",
                "target": "resolution",
                "start_condition": f"priority={p}^active=true",
                "pause_condition": "state=3",
                "stop_condition": "stateIN6,7,8",
                "schedule": "",
            }
            for p, h in ((1, 8), (2, 24), (3, 72), (4, 120), (5, 240))
        ],
    )
    write(out, "task_sla.json", [_task_sla(r) for r in incidents if r["priority"] in "12345"][:40])
    _schedules(out)
    write(
        out,
        "sc_req_item.json",
        [
            {
                "sys_id": synthetic_id("ritm", str(i)),
                "number": f"RITM001000{i}",
                "state": s,
                "approval": a,
                "short_description": d,
                "assignment_group": "287ebd7da9fe198100f92cc8d1d2154e",
                "priority": "4",
                "active": "true",
                "sys_class_name": "sc_req_item",
                "opened_at": "2023-01-09 09:00:00",
                "sys_created_on": "2023-01-09 09:00:00",
                "sys_updated_on": f"2023-01-09 1{i}:00:00",
                "sys_mod_count": "1",
                "sys_created_by": "admin",
                "sys_updated_by": "admin",
            }
            for i, (s, a, d) in enumerate(
                (
                    ("1", "requested", "(synthetic) New laptop"),
                    ("2", "approved", "(synthetic) Access to SAP"),
                ),
                1,
            )
        ],
    )
    columns = {
        "incident": sorted(json.loads((docs / "table_get_record_1.json").read_text())["result"]),
        "change_request": sorted(changes[0]),
    }
    write(
        out,
        "instance.json",
        {
            "priority_matrix": MATRIX_5,
            "columns": columns,
            "users": [
                {"user_name": "admin", "password": "admin", "time_zone": "Europe/Amsterdam",
                 "roles": ["admin"]},
                {"user_name": "itil", "password": "itil", "time_zone": "Europe/Amsterdam",
                 "roles": ["itil"]},
            ],
            "oauth_clients": [
                {
                    "client_id": "csi-rules-demo",
                    "client_secret": "demo-secret",
                    "application_user": "admin",
                }
            ],
        },
    )


def _approval(change: dict[str, str], approver: str, state: str) -> dict[str, str]:
    return {
        "sys_id": synthetic_id("approval", change["sys_id"], approver),
        "approver": approver,
        "sysapproval": change["sys_id"],
        "document_id": change["sys_id"],
        "source_table": "change_request",
        "state": state,
        "group": "",
        "sys_created_on": "2020-03-20 22:17:10",
        "sys_updated_on": "2020-03-20 22:23:51",
        "sys_mod_count": "1",
    }


def _task_sla(incident: dict[str, str]) -> dict[str, str]:
    hours = {"1": 8, "2": 24, "3": 72, "4": 120, "5": 240}[incident["priority"]]
    start = datetime.strptime(incident["opened_at"], "%Y-%m-%d %H:%M:%S")
    breach = start + timedelta(hours=hours)
    state = incident["incident_state"]
    stage = "completed" if state in ("6", "7") else "paused" if state == "3" else "in_progress"
    return {
        "sys_id": synthetic_id("task_sla", incident["sys_id"]),
        "task": incident["sys_id"],
        "sla": synthetic_id("sla", incident["priority"]),
        "stage": stage,
        "has_breached": "false" if incident["made_sla"] == "true" else "true",
        "active": "false" if stage == "completed" else "true",
        "start_time": incident["opened_at"],
        "planned_end_time": breach.strftime("%Y-%m-%d %H:%M:%S"),
        "original_breach_time": breach.strftime("%Y-%m-%d %H:%M:%S"),
        "end_time": incident["closed_at"],
        "business_percentage": "",
        "percentage": "",
        "business_time_left": "",
        "schedule": "",
        "sys_updated_on": incident["sys_updated_on"],
        "sys_mod_count": "1",
    }


def _schedules(out: Path) -> None:
    maint, black = (
        synthetic_id("schedule", "Weekend maintenance"),
        synthetic_id("schedule", "Year-end blackout"),
    )
    write(
        out,
        "cmn_schedule.json",
        [
            {
                "sys_id": maint,
                "name": "Weekend maintenance",
                "type": "maintenance",
                "sys_class_name": "cmn_schedule_maintenance",
                "time_zone": "Europe/Amsterdam",
                "description": "(synthetic) CI maintenance window, "
                "after t_CreateBlkoutMaintSched.md",
                "condition": "",
                "applies_to": "ci",
            },
            {
                "sys_id": black,
                "name": "Year-end blackout",
                "type": "blackout",
                "sys_class_name": "cmn_schedule_blackout",
                "time_zone": "Floating",
                "description": "(synthetic) change freeze, after t_CreateBlkoutMaintSched.md",
                "condition": "operational_status=1",
                "applies_to": "ci",
            },
        ],
    )
    write(
        out,
        "cmn_schedule_span.json",
        [
            {
                "sys_id": synthetic_id("span", "sat"),
                "schedule": maint,
                "name": "Saturday night",
                "type": "maintenance",
                "show_as": "busy",
                "all_day": "false",
                "start_date_time": "20260103T220000",
                "end_date_time": "20260104T040000",
                "repeat_type": "weekly",
                "repeat_count": "1",
                "days_of_week": "6",
                "repeat_until": "",
            },
            {
                "sys_id": synthetic_id("span", "freeze"),
                "schedule": black,
                "name": "Year-end freeze",
                "type": "blackout",
                "show_as": "busy",
                "all_day": "true",
                "start_date_time": "20261215T000000",
                "end_date_time": "20270102T000000",
                "repeat_type": "",
                "repeat_count": "",
                "days_of_week": "",
                "repeat_until": "",
            },
        ],
    )


def build_docs(shared: Path, out: Path) -> None:
    docs = shared / "reference" / "samples" / "servicenow"
    record = json.loads((docs / "table_get_record_1.json").read_text())["result"]
    patched = json.loads((docs / "table_patch_record_1.json").read_text())["result"]
    # Undo the documented PATCH (assigned_to, urgency, comments) to get the record before it;
    # priority goes back to impact 1 x urgency 3 = 3, the mod count and update stamp back by one.
    before = dict(
        patched,
        assigned_to="",
        urgency="3",
        priority="3",
        sys_mod_count="6",
        sys_updated_on="2016-01-22 14:00:00",
        sys_updated_by="glide.maint",
    )
    problem = json.loads((docs / "table_get_list_1.json").read_text())["result"]
    write(out, "incident.json", [values(record), values(before)])
    write(out, "problem.json", [values(p) for p in problem])
    write(out, "sys_user.json", users({}))
    write(
        out,
        "instance.json",
        {
            "priority_matrix": MATRIX_5,
            "columns": {"incident": sorted(record)},
            "users": [{"user_name": "admin", "password": "admin", "time_zone": "UTC"}],
            "oauth_clients": [
                {
                    "client_id": "a329c4515612210071a5e0c298ee2be8",
                    "client_secret": "password22",
                    "application_user": "admin",
                }
            ],
        },
    )


UCI_STATES = {
    "New": "1",
    "Active": "2",
    "Awaiting Problem": "3",
    "Awaiting User Info": "4",
    "Awaiting Evidence": "5",
    "Resolved": "6",
    "Closed": "7",
    "Awaiting Vendor": "9",
}


def _uci_time(text: str) -> str:
    if text == "?":
        return ""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").strftime("%Y-%m-%d %H:%M:%S")


UCI_CUTOFF = datetime(2016, 3, 10)


def build_uci(shared: Path, out: Path, extract: Path, count: int = 100) -> None:
    """Each of the first `count` incidents as it stood at UCI_CUTOFF (its last snapshot before)."""
    path = shared / "data" / "uci_servicenow_incident_event_log" / "sample_first_1000_incidents.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    snapshot: dict[str, dict[str, str]] = {}
    for row in rows:
        if datetime.strptime(row["sys_updated_at"], "%d/%m/%Y %H:%M") > UCI_CUTOFF:
            continue
        old = snapshot.get(row["number"])
        if old is None or int(row["sys_mod_count"]) >= int(old["sys_mod_count"]):
            snapshot[row["number"]] = row
    # round-robin over states (file order within each) so every state and priority shows up
    by_state: dict[str, list[dict[str, str]]] = {}
    for row in snapshot.values():
        by_state.setdefault(row["incident_state"], []).append(row)
    picked: list[dict[str, str]] = []
    while len(picked) < count and any(by_state.values()):
        for queue in by_state.values():
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    latest = {r["number"]: r for r in sorted(picked, key=lambda r: r["number"])}
    with extract.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(latest.values())
    groups: dict[str, str] = {}
    people: dict[str, str] = {}

    def ref(table: dict[str, str], label: str) -> str:
        if label == "?":
            return ""
        return table.setdefault(label, synthetic_id("uci", label))

    incidents = []
    for row in latest.values():
        state = UCI_STATES[row["incident_state"]]
        incidents.append(
            {
                "sys_id": synthetic_id("uci", row["number"]),
                "number": row["number"],
                "state": state,
                "incident_state": state,
                "active": row["active"],
                "reassignment_count": row["reassignment_count"],
                "reopen_count": row["reopen_count"],
                "sys_mod_count": row["sys_mod_count"],
                "made_sla": row["made_sla"],
                "caller_id": ref(people, row["caller_id"]),
                "opened_by": ref(people, row["opened_by"]),
                "opened_at": _uci_time(row["opened_at"]),
                "sys_created_by": row["sys_created_by"],
                "sys_created_on": _uci_time(row["sys_created_at"]),
                "sys_updated_by": row["sys_updated_by"],
                "sys_updated_on": _uci_time(row["sys_updated_at"]),
                "contact_type": row["contact_type"].lower(),
                "category": row["category"].replace("?", ""),
                "subcategory": row["subcategory"].replace("?", ""),
                "u_symptom": row["u_symptom"].replace("?", ""),
                "impact": row["impact"][0],
                "urgency": row["urgency"][0],
                "priority": row["priority"][0],
                "assignment_group": ref(groups, row["assignment_group"]),
                "assigned_to": ref(people, row["assigned_to"]),
                "knowledge": row["knowledge"],
                "u_priority_confirmation": row["u_priority_confirmation"],
                "notify": "1",
                "hold_reason": "",
                "close_code": row["closed_code"].replace("?", ""),
                "resolved_by": ref(people, row["resolved_by"]),
                "resolved_at": _uci_time(row["resolved_at"]),
                "closed_at": _uci_time(row["closed_at"]),
                "sys_class_name": "incident",
                "short_description": f"UCI event log incident {row['number']}",
                "work_notes": "",
                "comments": "",
            }
        )
    write(out, "incident.json", incidents)
    write(out, "sys_user_group.json", [{"sys_id": v, "name": k} for k, v in sorted(groups.items())])
    people_rows = [
        {"sys_id": v, "name": k, "user_name": k.lower().replace(" ", ".")}
        for k, v in sorted(people.items())
    ]
    write(out, "sys_user.json", users({}) + people_rows)
    write(
        out,
        "instance.json",
        {
            "priority_matrix": MATRIX_4,
            "on_hold_requires_reason": False,
            "choices": {
                "incident": {
                    "state": {v: k for k, v in UCI_STATES.items()},
                    "incident_state": {v: k for k, v in UCI_STATES.items()},
                    "priority": {
                        "1": "1 - Critical",
                        "2": "2 - High",
                        "3": "3 - Moderate",
                        "4": "4 - Low",
                    },
                }
            },
            "users": [{"user_name": "admin", "password": "admin", "time_zone": "UTC"}],
            "oauth_clients": [],
        },
    )


REFERENCE_FILES = (
    "reference/samples/servicenow/table_get_list_1.json",
    "reference/samples/servicenow/table_get_record_1.json",
    "reference/samples/servicenow/table_post_list_1.json",
    "reference/samples/servicenow/table_patch_record_1.json",
    "reference/samples/servicenow/table_put_record_1.json",
    "reference/samples/servicenow/error_rate_limited_429.json",
    "reference/samples/servicenow/error_scripted_rest_format.json",
    "reference/samples/servicenow/oauth_token_password_grant_response.json",
    "data/servicenow_table_api_samples/stackstate_CHG0000001.json",
    "data/servicenow_table_api_samples/stackstate_CHG0040007.json",
    "data/servicenow_table_api_samples/stackstate_planned_crs.json",
)


def copy_reference(shared: Path, out: Path) -> None:
    """Byte copies of the payloads the fidelity tests compare against."""
    out.mkdir(parents=True, exist_ok=True)
    for name in REFERENCE_FILES:
        (out / Path(name).name).write_bytes((shared / name).read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    args = parser.parse_args()
    build_default(args.shared, DEFAULT_OUT)
    build_docs(args.shared, DOCS_OUT)
    build_uci(args.shared, UCI_OUT, HERE / "tests" / "data" / "uci_snapshots.csv")
    copy_reference(args.shared, HERE / "tests" / "data" / "reference")


if __name__ == "__main__":
    main()
