"""Verify mode: the runner decides with one engine and re-checks a sample of live records on a
second; a disagreement shows in /metrics, `status` and the audit log, and never stops a cycle."""

from __future__ import annotations

import json

import yaml

from csi_rules.audit import verify
from csi_rules.engine.verify import Disagreement
from tests.runtime.conftest import new_incident, write_config


def _with_verify(path, **verify_settings):
    data = yaml.safe_load(path.read_text())
    data["verify"] = verify_settings
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_sample_of_live_records_is_checked_on_the_second_engine(tmp_path, sn, make_runner):
    for category in ("network", "hardware", "database"):
        new_incident(sn, category=category)
    config = _with_verify(write_config(tmp_path, sn), **{"with": "reference", "every": 1})
    runner = make_runner(config, sn)
    runner.run_once()
    checks = runner.pipeline.evaluator.verification()
    assert checks["checked"] >= 3 and checks["disagreements"] == 0, checks


def test_a_disagreement_is_counted_logged_and_shown_by_status(tmp_path, sn, clock, make_runner,
                                                              capsys):
    from csi_rules.cli import main
    config = _with_verify(write_config(tmp_path, sn), **{"with": "reference"})
    runner = make_runner(config, sn)
    runner._disagreement(Disagreement("incident INC1", "g0", ("r1",), ("r2",),
                                      ("compiled", "reference")))
    text = runner.metrics.render(runner.store, clock.now())
    assert 'csi_rules_engine_disagreements_total{group="g0"} 1' in text
    entries = [r.entry for r in runner.store.audit()]
    assert entries[-1]["type"] == "engine_disagreement"
    assert verify(runner.store.audit()).ok
    runner.close()
    assert main(["status", "--config", str(config), "--format", "json"]) == 0
    (found,) = json.loads(capsys.readouterr().out)["engine_disagreements"]
    assert "compiled matched ['r1'], reference matched ['r2']" in found["detail"]


def test_verify_with_the_deciding_engine_is_refused(tmp_path, sn):
    from csi_rules.runtime import load_config
    from csi_rules.runtime.config import ConfigError
    config = _with_verify(write_config(tmp_path, sn), **{"with": "compiled"})
    try:
        load_config(config)
    except ConfigError as exc:
        assert "verify.with must name another engine" in str(exc.findings[0].format())
    else:
        raise AssertionError("a verify engine equal to the deciding one was accepted")
