"""When a replayed ticket's clocks start, and which snapshot gives a field its value.

A log with no opened-at column (the Volvo incident log) opens each ticket at its first event of
any kind; before, clocks started at the first change of a tracked field, late for most tickets
and never for one whose tracked fields never change.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from csi_rules.errors import PolicyError
from csi_rules.ingest.mapping import load_mapping
from csi_rules.policy.validate import load_policy_set
from csi_rules.replay import history_end, load_history, replay_ticket
from tests.conftest import ROOT
from tests.replay.conftest import DATA

VOLVO = DATA / "volvo-incident-log-extract.csv"
VOLVO_MAPPING = ROOT / "policies" / "mappings" / "volvo-incident-log.yaml"
FIRST_SR = "1-364285768"  # first event 2010-03-31 15:59:42, first state change 16:45:48
ONE_EVENT_SR = "1-740866821"  # a single event: no tracked field ever changes


def volvo_mapping(tmp_path: Path, *lines: str) -> Path:
    """The Volvo mapping with `lines` added under `fields:`."""
    text = VOLVO_MAPPING.read_text(encoding="utf-8")
    text = text.replace("  fields:\n", "  fields:\n" + "".join(f"    {x}\n" for x in lines), 1)
    path = tmp_path / "volvo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def first_events() -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for line in VOLVO.read_text(encoding="utf-8-sig").splitlines()[1:]:
        number, at = line.split(",")[:2]
        out.setdefault(number, min(datetime.fromisoformat(at),
                                   out.get(number, datetime.fromisoformat(at))))
    return out


def test_a_log_without_opened_at_opens_each_ticket_at_its_first_event(cli):
    result = cli("replay", "--policies", str(ROOT / "policies"), "--history", str(VOLVO),
                 "--mapping", str(VOLVO_MAPPING))
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    events, summary = lines[:-1], lines[-1]["summary"]
    firsts = first_events()
    assert summary["tickets"] == len(firsts) == 7
    # the SR with one event is replayed: P2 (High impact), 30m response and 8h resolution, 24x7
    breaches = {(e["record"]["id"], e["metric"]): e["at"] for e in events
                if e["outcome"] == "breached"}
    assert breaches[(ONE_EVENT_SR, "response")] == "2012-05-05T14:24:27+01:00"
    assert breaches[(ONE_EVENT_SR, "resolution")] == "2012-05-05T21:54:27+01:00"


def test_every_clock_starts_at_the_tickets_first_event_not_its_first_tracked_change(plugins):
    policy_set = load_policy_set([str(ROOT / "policies")], plugins)
    records = load_history(VOLVO, VOLVO_MAPPING).records
    end = history_end(records)
    assert end is not None
    firsts = first_events()
    for record in records:
        assert record.get("opened_at") == firsts[record.id]
        for status in replay_ticket(policy_set, record, end).slas.values():
            assert status.started_at == firsts[record.id], (record.id, status.metric)
    first_sr = next(r for r in records if r.id == FIRST_SR)
    assert first_sr.data["history"][0]["at"] == "2010-03-31T16:45:48+01:00"  # 46 min later


def test_opened_at_mapped_from_the_event_time_takes_the_first_event(tmp_path):
    mapping = volvo_mapping(tmp_path, "opened_at: {column: Change Date+Time}",
                            "raw.first_team: {column: Involved ST, merge: first}",
                            "raw.last_team: {column: Involved ST, merge: last}")
    records = {r.id: r for r in load_history(VOLVO, mapping).records}
    first = records[FIRST_SR]
    assert first.get("opened_at").isoformat() == "2010-03-31T15:59:42+01:00"
    assert first.get("updated_at").isoformat() == "2012-05-11T00:26:15+01:00"  # the last event
    assert (first.get("raw.first_team"), first.get("raw.last_team")) == ("V30", "V5 3rd")
    # merge: last says so explicitly
    mapping = volvo_mapping(tmp_path, "opened_at: {column: Change Date+Time, merge: last}")
    last = next(r for r in load_history(VOLVO, mapping).records if r.id == FIRST_SR)
    assert last.get("opened_at") == last.get("updated_at")


def test_merge_first_takes_the_earliest_snapshot_in_order_not_in_the_file(write_log, tmp_path):
    uci = (ROOT / "policies" / "mappings" / "uci-incident-log.yaml").read_text(encoding="utf-8")
    mapping = tmp_path / "uci.yaml"
    mapping.write_text(uci.replace("    raw.notify: {column: notify}\n",
                                   "    raw.notify: {column: notify}\n"
                                   "    raw.first_group: {column: assignment_group, "
                                   "merge: first}\n"), encoding="utf-8")
    path = write_log([
        {"sys_updated_at": "1/3/2016 10:00", "sys_mod_count": "1", "assignment_group": "L2"},
        {"sys_updated_at": "1/3/2016 09:00", "sys_mod_count": "0", "assignment_group": "L1"},
        {"sys_updated_at": "1/3/2016 11:00", "sys_mod_count": "2", "assignment_group": "L3"},
    ])
    (record,) = load_history(path, mapping).records
    assert (record.get("raw.first_group"), record.get("assignment_group")) == ("L1", "L3")


@pytest.mark.parametrize("merge", ["min", "same", "collect"])
def test_a_snapshot_mapping_refuses_merges_other_than_first_and_last(tmp_path, merge):
    mapping = volvo_mapping(tmp_path, f"raw.team: {{column: Involved ST, merge: {merge}}}")
    with pytest.raises(PolicyError) as info:
        load_mapping(mapping, "SnapshotCsvMapping")
    assert f"spec.fields.raw.team.merge: merge {merge} does not apply to snapshot logs: a " \
           "field takes its value from the last snapshot (merge: last) or the first (merge: " \
           "first)" in str(info.value)


def test_state_values_outside_the_contract_vocabulary_are_refused(tmp_path):
    text = VOLVO_MAPPING.read_text(encoding="utf-8").replace('"Closed": closed',
                                                             '"Closed": Closed')
    mapping = tmp_path / "volvo.yaml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_mapping(mapping, "SnapshotCsvMapping")
    assert "spec.fields.state.values.Closed: 'Closed' is not a valid value (valid: new, " \
           "in_progress, on_hold, resolved, closed, canceled, code:<value>)" in str(info.value)


def test_an_unmapped_platform_state_stays_visible_and_is_listed(write_log):
    path = write_log([{}, {"sys_updated_at": "1/3/2016 10:00", "sys_mod_count": "1",
                           "incident_state": "-100"}])
    (record,) = load_history(path, ROOT / "policies" / "mappings" / "uci-incident-log.yaml").records
    assert record.get("state") == "code:-100"
    assert record.data["unmapped"] == {"state": "-100"}


def test_the_shipped_snapshot_mappings_load():
    shipped = [p for p in (ROOT / "policies" / "mappings").glob("*.yaml")
               if "kind: SnapshotCsvMapping" in p.read_text(encoding="utf-8")]
    assert {p.name for p in shipped} >= {"uci-incident-log.yaml", "volvo-incident-log.yaml"}
    for path in shipped:
        assert load_mapping(path, "SnapshotCsvMapping").snapshots is not None
