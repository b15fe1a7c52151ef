"""The replay's SLA verdicts against the platform's single made-SLA flag, like with like.

made_sla is false when any SLA on the ticket breached, so it is compared with the policies'
any-SLA verdict; the tickets where the two disagree are listed one per row, and the summary
breaks everything down per priority.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.replay.conftest import EXTRACT, UCI_MAPPING

POLICY = """\
apiVersion: csi-rules/v1
kind: SlaPolicy
metadata: {name: desk-sla}
spec:
  clock:
    pause: {field: state, eq: on_hold}
    stop: {field: state, in: [resolved, closed]}
  metrics:
    - name: response
      clock:
        stop:
          any:
            - {field: assignee, exists: true}
            - {field: state, in: [resolved, closed]}
      targets:
        - {target: 30m}
    - name: resolution
      targets:
        - {when: {field: priority, eq: 2}, target: 2h}
        - {target: 4h}
"""

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # every goal counts 24x7


def at(hhmm: str) -> str:
    hours, minutes = map(int, hhmm.split(":"))
    return T0.replace(hour=hours, minute=minutes).isoformat()


def ticket(ident: str, priority: int, assigned: str | None, resolved: str | None,
           made_sla: bool | None) -> dict[str, Any]:
    history = []
    if assigned:
        history.append({"at": at(assigned), "field": "assignee", "from": None, "to": "Ana"})
    if resolved:
        history.append({"at": at(resolved), "field": "state", "from": "in_progress",
                        "to": "resolved"})
    record: dict[str, Any] = {
        "id": ident, "kind": "incident", "priority": priority, "opened_at": at("09:00"),
        "state": "resolved" if resolved else "in_progress", "history": history}
    if assigned:
        record["assignee"] = "Ana"
    if made_sla is not None:
        record["raw"] = {"made_sla": made_sla}
    return record


TICKETS = [
    # response breached at 09:30, resolution achieved: the platform's "met" disagrees
    ticket("late-answer", 3, "10:00", "11:00", True),
    # both achieved, but the platform says missed
    ticket("platform-missed", 3, "09:10", "10:00", False),
    # resolution breached at 11:00 (P2, 2h) after a timely answer: both say missed
    ticket("late-fix", 2, "09:10", "12:00", False),
    ticket("fine", 3, "09:10", "10:00", True),
    # still open at 12:00 with no breach yet (answered, 3h of 4h used): not decided
    ticket("open", 3, "09:10", None, True),
    ticket("no-flag", 3, "10:00", "11:00", None),  # nothing to compare with
]


@pytest.fixture
def run(tmp_path: Path, cli):
    (tmp_path / "desk.yaml").write_text(POLICY)
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(t) + "\n" for t in TICKETS))

    def replay(*extra: str) -> tuple[Any, dict[str, Any]]:
        result = cli("replay", "--policies", str(tmp_path / "desk.yaml"), "--history",
                     str(history), "--to", at("12:00"), *extra)
        assert result.code == 0, result.err
        return result, json.loads(result.out.splitlines()[-1])["summary"]

    return replay


def test_made_sla_is_compared_with_the_any_sla_verdict(run):
    _, summary = run()
    any_sla, *per_metric = summary["made_sla_agreement"]
    assert any_sla == {"policy": None, "metric": "any", "compared": 4, "agree": 2,
                       "agreement_percent": 50.0, "both_met": 1, "both_missed": 1,
                       "only_replay_missed": 1, "only_export_missed": 1}
    # per metric (each alone is not what made_sla says): resolution alone would look better
    resolution = next(a for a in per_metric if a["metric"] == "resolution")
    assert (resolution["compared"], resolution["agree"]) == (4, 3)


def test_the_summary_breaks_tickets_slas_and_agreement_down_by_priority(run):
    _, summary = run()
    by_priority = {row["priority"]: row for row in summary["by_priority"]}
    assert sorted(by_priority) == [2, 3]
    p2, p3 = by_priority[2], by_priority[3]
    assert (p2["tickets"], p3["tickets"]) == (1, 5)
    assert {s["metric"]: s["breached"] for s in p2["slas"]} == {"response": 0, "resolution": 1}
    assert {s["metric"]: s["breached"] for s in p3["slas"]} == {"response": 2, "resolution": 0}
    assert p2["made_sla_agreement"]["agree"] == 1 and p3["made_sla_agreement"]["compared"] == 3
    assert p3["made_sla_agreement"]["agreement_percent"] == pytest.approx(33.33)


def test_disagreements_are_written_as_csv_one_row_per_ticket(run, tmp_path):
    out = tmp_path / "disagree.csv"
    run("--disagreements", str(out))
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["ticket"] for r in rows] == ["late-answer", "platform-missed"]
    late, missed = rows
    assert (late["priority"], late["platform_verdict"], late["policy_verdict"]) == (
        "3", "met", "missed")
    assert (late["first_breach_at"], late["first_breach_metric"]) == (
        at("09:30"), "desk-sla/response")
    assert (late["desk-sla/response outcome"], late["desk-sla/response breached_at"],
            late["desk-sla/response percent_used"], late["desk-sla/response target"]) == (
        "breached", at("09:30"), "200.0", "30m (24x7)")
    assert (late["desk-sla/resolution outcome"], late["desk-sla/resolution percent_used"]) == (
        "achieved", "50.0")
    assert (missed["platform_verdict"], missed["policy_verdict"], missed["first_breach_at"]) == (
        "missed", "met", "")


def test_disagreements_are_written_as_json_when_the_file_says_so(run, tmp_path):
    out = tmp_path / "disagree.json"
    run("--disagreements", str(out))
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["ticket"], r["platform_verdict"], r["policy_verdict"]) for r in rows] == [
        ("late-answer", "met", "missed"), ("platform-missed", "missed", "met")]
    assert rows[0]["first_breach"] == {"at": at("09:30"), "policy": "desk-sla",
                                       "metric": "response"}
    assert [(m["metric"], m["outcome"]) for m in rows[0]["metrics"]] == [
        ("resolution", "achieved"), ("response", "breached")]


def test_a_disagreements_file_of_another_kind_is_refused_before_any_work(tmp_path, cli):
    result = cli("replay", "--policies", str(ROOT / "policies"), "--history",
                 str(tmp_path / "missing.jsonl"), "--disagreements", str(tmp_path / "d.txt"))
    assert result.code == 2
    assert result.err.strip().endswith("d.txt: name a .csv or .json file (the extension "
                                       "picks the format)")


def test_on_the_uci_extract_the_file_lists_exactly_the_disagreements_counted(cli, tmp_path):
    out = tmp_path / "uci.csv"
    result = cli("replay", "--policies", str(ROOT / "policies"), "--history", str(EXTRACT),
                 "--mapping", str(UCI_MAPPING), "--disagreements", str(out))
    assert result.code == 0, result.err
    summary = json.loads(result.out.splitlines()[-1])["summary"]
    any_sla = summary["made_sla_agreement"][0]
    assert any_sla["metric"] == "any" and any_sla["compared"] == 100
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == any_sla["compared"] - any_sla["agree"] > 0
    assert sum(r["policy_verdict"] == "missed" for r in rows) == any_sla["only_replay_missed"]
    # every replay-missed row names the metric that breached first, and when
    for row in rows:
        if row["policy_verdict"] == "missed":
            metric = row["first_breach_metric"].split("/")[1]
            assert row[f"incident-sla/{metric} breached_at"] == row["first_breach_at"]
    by_priority = summary["by_priority"]
    assert sum(p["tickets"] for p in by_priority) == summary["tickets"] == 100
    assert sum(p["made_sla_agreement"]["agree"] for p in by_priority) == any_sla["agree"]
