"""CMDB relationship files and how far a conflict travels through the graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csi_rules.conflicts import load_cmdb
from csi_rules.conflicts.cmdb import Relationship, RelationshipGraph, normalize_type
from csi_rules.errors import RecordError

DEPENDS = frozenset({"depends_on"})
BOTH = frozenset({"depends_on", "runs_on"})


def test_servicenow_relationship_type_names_are_normalised() -> None:
    assert normalize_type("Depends on::Used by") == "depends_on"
    assert normalize_type("Runs on::Runs") == "runs_on"
    assert normalize_type("runs_on") == "runs_on"


def test_jsonl_csv_and_servicenow_json_give_the_same_graph(tmp_path: Path) -> None:
    jsonl = tmp_path / "rel.jsonl"
    jsonl.write_text('{"source": "app1", "type": "runs_on", "target": "srv1"}\n\n'
                     '{"parent": "app1", "type": "Depends on::Used by", "child": "db1"}\n')
    csv = tmp_path / "rel.csv"
    csv.write_text("source,type,target\napp1,runs_on,srv1\napp1,depends_on,db1\n")
    servicenow = tmp_path / "rel.json"
    servicenow.write_text(json.dumps({"result": [
        {"parent": {"display_value": "app1", "value": "a1"}, "type": "Runs on::Runs",
         "child": {"display_value": "srv1", "value": "s1"}},
        {"parent": {"display_value": "app1"}, "type": {"display_value": "Depends on::Used by"},
         "child": {"display_value": "db1"}}]}))
    graphs = [load_cmdb(p).relationships for p in (jsonl, csv, servicenow)]
    assert graphs[0] == graphs[1] == graphs[2] == (
        Relationship("app1", "depends_on", "db1"), Relationship("app1", "runs_on", "srv1"))


def test_a_relationship_without_a_target_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rel.jsonl"
    path.write_text('{"source": "a", "type": "runs_on", "target": "b"}\n'
                    '{"source": "a", "type": "runs_on"}\n')
    with pytest.raises(RecordError) as caught:
        load_cmdb(path)
    assert str(caught.value) == f"{path}:2: relationship has no target (or child)"


def test_neighbourhoods_follow_edges_both_ways_up_to_the_depth_and_only_chosen_types() -> None:
    graph = RelationshipGraph([
        Relationship("app1", "runs_on", "vm1"), Relationship("vm1", "runs_on", "host1"),
        Relationship("app1", "depends_on", "db1"), Relationship("db1", "runs_on", "host2")])
    assert graph.within("vm1", BOTH, 1) == {"app1": 1, "host1": 1}
    assert graph.within("host1", BOTH, 3) == {"vm1": 1, "app1": 2, "db1": 3}
    assert graph.within("app1", DEPENDS, 3) == {"db1": 1}
    assert [r.text() for r in graph.path("host1", "db1", BOTH, 3)] == [
        "vm1 runs_on host1", "app1 runs_on vm1", "app1 depends_on db1"]
    assert graph.path("host1", "db1", BOTH, 2) == ()


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"source": ' + "9" * 5000 + "}"])
@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_hostile_json_is_an_error_naming_the_file_not_a_crash(tmp_path: Path, body: str,
                                                               suffix: str) -> None:
    path = tmp_path / f"rel{suffix}"
    path.write_text('{"source": "a", "type": "runs_on", "target": "b"}\n' + body + "\n"
                    if suffix == ".jsonl" else body)
    with pytest.raises(RecordError) as caught:
        load_cmdb(path)
    line = 2 if suffix == ".jsonl" else 1
    assert str(caught.value).startswith(f"{path}:{line}: invalid JSON: ")
