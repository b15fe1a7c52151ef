"""Helpers for replay tests: UCI-shaped snapshot rows written to a temporary CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import ROOT

DATA = Path(__file__).resolve().parent / "data"
EXTRACT = DATA / "uci-incident-log-extract.csv"
UCI_MAPPING = ROOT / "policies" / "mappings" / "uci-incident-log.yaml"
HEADER = EXTRACT.read_text(encoding="utf-8").splitlines()[0].split(",")

# One plausible snapshot of an incident; tests override the cells they care about.
BASE_ROW = {
    "number": "INC1", "incident_state": "New", "active": "true", "reassignment_count": "0",
    "reopen_count": "0", "sys_mod_count": "0", "made_sla": "true", "caller_id": "Caller 1",
    "opened_by": "Opened by 1", "opened_at": "1/3/2016 09:00", "sys_created_by": "?",
    "sys_created_at": "?", "sys_updated_by": "Updated by 1", "sys_updated_at": "1/3/2016 09:00",
    "contact_type": "Phone", "location": "Location 1", "category": "Category 1",
    "subcategory": "Subcategory 1", "u_symptom": "?", "cmdb_ci": "?", "impact": "2 - Medium",
    "urgency": "2 - Medium", "priority": "3 - Moderate", "assignment_group": "Group 1",
    "assigned_to": "?", "knowledge": "false", "u_priority_confirmation": "false",
    "notify": "Do Not Notify", "problem_id": "?", "rfc": "?", "vendor": "?", "caused_by": "?",
    "closed_code": "?", "resolved_by": "?", "resolved_at": "?", "closed_at": "?",
}


@pytest.fixture
def write_log(tmp_path: Path):
    """write_log(rows) -> path of a CSV with the UCI header; each row overrides BASE_ROW."""

    def write(rows: list[dict[str, str]], name: str = "log.csv") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            for row in rows:
                writer.writerow([{**BASE_ROW, **row}[column] for column in HEADER])
        return path

    return write
