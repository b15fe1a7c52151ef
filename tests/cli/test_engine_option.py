"""`--engine compiled|durable|reference`: every command that evaluates takes it, and the
choice never changes a decision (the engines are N-version checks of each other)."""

from __future__ import annotations

import json

import pytest

from csi_rules.cli.common import ENGINES
from csi_rules.engine import select
from tests.conftest import POLICIES, ROOT

NOW = "2026-03-02T09:30:00Z"
RECORDS = ROOT / "csi_rules" / "examples" / "records.jsonl"


def test_the_cli_offers_exactly_the_engines_the_selector_knows():
    assert ENGINES == select.ENGINES
    assert ENGINES[0] == select.DEFAULT_ENGINE


def test_evaluate_gives_the_same_decisions_on_every_engine(cli):
    outputs = {}
    for engine in ENGINES:
        result = cli("evaluate", "--policies", str(POLICIES), "--record", str(RECORDS),
                     "--now", NOW, "--engine", engine)
        assert result.code == 0, result.err
        outputs[engine] = [json.loads(line) for line in result.out.splitlines()]
    assert outputs["compiled"] == outputs["durable"] == outputs["reference"]
    rules = [d["rule"] for o in outputs["compiled"] for d in o["decisions"]]
    assert any(rules), "the example records match no rule: the comparison proves nothing"


def test_an_unknown_engine_is_refused_with_the_choices(cli):
    with pytest.raises(SystemExit) as exited:
        cli("evaluate", "--policies", str(POLICIES), "--record", str(RECORDS), "--engine", "zen")
    assert exited.value.code == 2


@pytest.mark.parametrize("engine", ["compiled", "durable"])
def test_policy_tests_pass_on_the_chosen_engine(cli, engine):
    result = cli("test", str(POLICIES / "tests"), "--engine", engine)
    assert result.code == 0, result.out + result.err
    assert " 0 failed" in result.out


def _incident(i: int, service: str, minute: int) -> dict[str, object]:
    return {"id": f"i{i}", "number": f"INC{i:04d}", "kind": "incident", "priority": 1,
            "service": service, "state": "new",
            "opened_at": f"2026-03-02T09:{minute:02d}:00Z"}


def test_correlate_finds_the_same_sets_on_every_engine(cli, tmp_path):
    policy = POLICIES / "correlation"
    records = tmp_path / "incidents.jsonl"
    records.write_text("\n".join(json.dumps(_incident(i, "Payments" if i < 4 else "Mail", i))
                                 for i in range(6)) + "\n", encoding="utf-8")
    found = {}
    for engine in ENGINES:
        result = cli("correlate", "--policies", str(policy), "--records", str(records),
                     "--now", NOW, "--engine", engine, "--format", "json")
        assert result.code == 0, result.err
        found[engine] = result.out
    assert found["compiled"] == found["durable"] == found["reference"]
    assert found["compiled"].strip(), "no set found: the comparison proves nothing"
