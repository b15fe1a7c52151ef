"""The live part of `csi-rules demo`: both emulators, one runner cycle, told in plain text.

The admin reading it must be able to trust it: a sentence for the cycle (not a Python dict),
SLA shares a person can read, no failure caused by the demo's own seeds, and every failure
that remains listed with its reason and why it remains.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

import pytest

from tests.conftest import ROOT

pytest.importorskip("csi_rules_servicenow")
pytest.importorskip("csi_rules_jira")


@pytest.fixture(scope="module")
def demo_run() -> tuple[str, Any]:
    """One demo run shared by the tests below (it takes seconds): its output, and the LiveRun
    it printed (what the runner did and what the loopback receivers took)."""
    from csi_rules.cli import demo, main

    out, runs = io.StringIO(), []
    real = demo.live_demo

    def keep(*args: Any) -> Any:
        runs.append(real(*args))
        return runs[-1]

    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.chdir(ROOT)
        mp.setattr(demo, "live_demo", keep)
        code = main(["demo", "--now", "2026-03-02T09:30:00Z"])
    assert code == 0, out.getvalue()
    return out.getvalue(), runs[0]


@pytest.fixture(scope="module")
def demo_out(demo_run: tuple[str, Any]) -> str:
    return demo_run[0]


def test_runs_a_cycle_against_both_emulators_and_shows_each_kind_of_decision(demo_out):
    assert "ServiceNow emulator: http://127.0.0.1:" in demo_out
    assert "Jira emulator: http://127.0.0.1:" in demo_out
    for section in ("-- Routing:", "-- SLA warnings and breaches:", "-- Escalations:",
                    "-- CAB routes:", "-- Failed actions:", "-- Go/no-go for"):
        assert section in demo_out
    assert "→ applied" in demo_out
    assert "csi-rules status --config" in demo_out


def test_the_cycle_summary_is_a_sentence(demo_out):
    summary = re.search(r"synced (\d+) ServiceNow and (\d+) Jira records; (\d+) decisions; "
                        r"actions: (\d+) applied, (\d+) already applied, (\d+) skipped, "
                        r"(\d+) failed", " ".join(demo_out.split()))
    assert summary, demo_out
    assert int(summary.group(1)) > 50 and int(summary.group(2)) == 5  # Jira: no changes
    assert "{'" not in demo_out and "':" not in demo_out  # no dict printed anywhere


def test_sla_shares_are_readable_on_the_shifted_seeds(demo_out):
    shares = [int(p.replace(",", "")) for p in re.findall(r"\(([\d,]+)%\)", demo_out)]
    assert shares and max(shares) < 1000
    assert "2015-" not in demo_out  # the samples' own dates are moved to now


def test_no_action_fails_on_a_name_the_seeds_lack(demo_out):
    assert "has no group named" not in demo_out
    assert "no user named" not in demo_out


def test_the_demo_runs_a_config_csi_rules_run_would_accept_and_nothing_fails(demo_run,
                                                                              capsys):
    """The runner config the demo writes (and points the admin at) passes the action check
    `csi-rules run` makes before it starts: no policy asks an adapter for an action it cannot
    carry out, so the cycle has no failed action to explain away."""
    from csi_rules.cli import main

    out, run = demo_run
    assert main(["validate", "--config", run.config_path]) == 0, capsys.readouterr().out
    assert [a for e in run.audit if e.get("type") == "decision" for a in e["actions"]
            if a["status"] == "failed"] == []
    assert "-- Failed actions: 0" in out and " 0 failed" in " ".join(out.split())
    assert "ITSM-3" in out.split("-- Go/no-go for", 1)[1], "Jira changes are still gated"


def test_every_failed_action_is_listed_with_its_reason_and_why(demo_out):
    failures = demo_out.split("-- Failed actions: ", 1)[1].split("\n   --", 1)[0]
    count = int(failures.split("\n", 1)[0])
    shown = re.findall(r"→ failed: ", failures)
    assert len(shown) == count
    assert failures.count("why: ") == count


def _notify_actions(run: Any, channel: str) -> list[dict[str, Any]]:
    return [a for e in run.audit if e.get("type") == "decision" for a in e["actions"]
            if a["type"] == "notify" and a["params"].get("channel") == channel]


def test_the_escalation_page_and_email_arrive_at_loopback_receivers_once(demo_run):
    out, run = demo_run
    from csi_rules.demo.inbox import SENDER

    assert run.opened.startswith("INC")
    # 2026-03-02 10:30 Berlin: the ninth weekly turn since 2026-01-05, Chiara Rossi's
    mails = [e for e in run.delivered.emails if e.subject == f"{run.opened} needs you (P3)"]
    assert [(m.sender, m.to) for m in mails] == [(SENDER, ("chiara.rossi@example.com",))]
    pages = [p for p in run.delivered.pages if p.summary.startswith(f"{run.opened} ")]
    assert [(p.event, p.dedup_key.rsplit("/", 1)[1]) for p in pages] == [
        ("trigger", "network-on-call")]
    text = " ".join(out.split())
    assert (f"e-mail: from {SENDER} to chiara.rossi@example.com, subject "
            f"'{run.opened} needs you (P3)'") in text
    assert f"page: trigger, dedup_key {pages[0].dedup_key}, summary '{pages[0].summary}'" in text
    assert "none arrived twice" in text


def test_every_notification_the_runner_sent_arrived_exactly_once(demo_run):
    _, run = demo_run
    sent = {channel: [a for a in _notify_actions(run, channel) if a["status"] == "applied"]
            for channel in ("email", "pager", "chat")}
    assert all(a["status"] == "applied" for c in sent for a in _notify_actions(run, c))
    keys = [e.key for e in run.delivered.emails]
    assert len(keys) == len(set(keys)) == len(sent["email"]) > 100
    assert len(run.delivered.pages) == len(sent["pager"]) >= 1
    assert run.delivered.chats == len(sent["chat"])
