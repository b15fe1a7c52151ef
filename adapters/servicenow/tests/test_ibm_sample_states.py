"""Every incident of IBM's public ServiceNow REST sample keeps its state (issue 13).

The export (`shared/data/servicenow_table_api_samples/ibm_incidents_REST.csv`) has an
`incident_state` column and no `state`: read whole, no row may come out without a state or with
one outside the contract.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from csi_rules.records.vocabulary import STATES
from csi_rules_servicenow.mapping import build_tables
from csi_rules_servicenow.normalize import to_record


def _sample() -> Path:
    for parent in Path(__file__).resolve().parents:
        found = parent / "shared" / "data" / "servicenow_table_api_samples" / "ibm_incidents_REST.csv"
        if found.is_file():
            return found
    raise RuntimeError("shared/data/servicenow_table_api_samples not found beside the repository")


def test_every_ibm_sample_incident_keeps_its_state():
    with _sample().open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 67 and "state" not in rows[0]
    tables = build_tables("default", {}, {}, {})
    states = Counter(to_record("incident", "incident", row, tables).get("state") for row in rows)
    assert set(states) <= set(STATES["incident"]), states
    assert sum(states.values()) == 67 and states["closed"] >= 1 and states["new"] >= 1
