"""A platform value no mapping names is reported once per run and stays visible on the record."""

from __future__ import annotations

from tests.runtime.conftest import new_incident, write_config


def test_an_unmapped_state_is_reported_once_per_run_and_the_record_kept(tmp_path, sn, clock,
                                                                       make_runner):
    sn.store.fill_columns("incident", ["state"])
    odd = new_incident(sn, state="9")          # a state code this instance added
    new_incident(sn, state="9")                # a second ticket with the same code
    runner = make_runner(write_config(tmp_path, sn), sn)
    runner.run_once()
    clock.advance(120)
    new_incident(sn, state="9")
    runner.run_once()

    reported = runner.reporter.named("unmapped_value")
    assert [(e["adapter"], e["kind"], e["field"], e["value"]) for e in reported] == [
        ("servicenow", "incident", "state", "9")]
    record = runner.adapters["servicenow"].fetch_record(odd)
    assert (record.get("state"), record.get("unmapped")) == ("code:9", {"state": "9"})
