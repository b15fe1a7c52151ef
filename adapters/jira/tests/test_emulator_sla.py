"""JSM SLA cycles: each metric starts, stops and pauses on its own conditions, as JSM has them."""

from __future__ import annotations

import requests

AUTH = ("alex@example.com", "alex-api-token")       # an agent
AGENT = "5b10ac8d82e05b22cc7d4ef5"
CUSTOMER = "5b10a0effa615349cb016cd8"


def _slas(emulator, key: str) -> dict[str, dict]:
    reply = requests.get(f"{emulator.url}/rest/servicedeskapi/request/{key}/sla", auth=AUTH,
                         timeout=5)
    assert reply.status_code == 200
    return {s["name"]: s for s in reply.json()["values"]}


def test_first_response_met_once_is_not_restarted_by_leaving_a_stop_status(emulator):
    # ITSM-2: created 30 h ago, In Progress after 1 h, waiting for customer, back to support
    ttfr = _slas(emulator, "ITSM-2")["Time to first response"]
    assert "ongoingCycle" not in ttfr
    (cycle,) = ttfr["completedCycles"]
    assert not cycle["breached"] and cycle["elapsedTime"]["millis"] == 3_600_000


def test_resolution_sla_gets_a_new_cycle_when_the_issue_is_reopened(emulator, clock):
    site = emulator.site
    issue = site.issues["ITSM-1"]
    site.set_status(issue, "Resolved", AGENT)
    clock.advance(hours=1)
    site.set_status(issue, "Waiting for support", CUSTOMER)       # reopened
    clock.advance(minutes=30)
    slas = _slas(emulator, "ITSM-1")
    ttr = slas["Time to resolution"]
    assert len(ttr["completedCycles"]) == 1
    assert ttr["ongoingCycle"]["elapsedTime"]["millis"] == 30 * 60_000
    ttfr = slas["Time to first response"]                          # left the initial status once
    assert len(ttfr["completedCycles"]) == 1 and "ongoingCycle" not in ttfr


def test_first_response_stops_at_the_first_public_agent_comment_only(emulator, clock):
    site = emulator.site
    clock.advance(minutes=10)
    internal = requests.post(f"{emulator.url}/rest/servicedeskapi/request/ITSM-1/comment",
                             auth=AUTH, json={"body": "looking", "public": False}, timeout=5)
    assert internal.status_code == 201
    customer = ("casey@example.com", "casey-api-token")
    requests.post(f"{emulator.url}/rest/servicedeskapi/request/ITSM-1/comment", auth=customer,
                  json={"body": "any news?", "public": True}, timeout=5)
    assert "ongoingCycle" in _slas(emulator, "ITSM-1")["Time to first response"]
    clock.advance(minutes=20)
    requests.post(f"{emulator.url}/rest/servicedeskapi/request/ITSM-1/comment", auth=AUTH,
                  json={"body": "We are on it.", "public": True}, timeout=5)
    clock.advance(hours=3)
    ttfr = _slas(emulator, "ITSM-1")["Time to first response"]
    assert "ongoingCycle" not in ttfr
    (cycle,) = ttfr["completedCycles"]
    assert cycle["elapsedTime"]["millis"] == (3 * 60 + 30) * 60_000 and not cycle["breached"]
    assert site.issues["ITSM-1"].status == "Waiting for support"   # a comment moves no status


def test_time_in_a_pause_status_does_not_count_and_shows_paused(emulator, clock):
    site = emulator.site
    site.set_status(site.issues["ITSM-1"], "Waiting for customer", AGENT)
    clock.advance(hours=5)
    ttr = _slas(emulator, "ITSM-1")["Time to resolution"]["ongoingCycle"]
    assert ttr["paused"] and ttr["elapsedTime"]["millis"] == 3 * 3_600_000
    assert "breachTime" not in ttr


def test_sla_answers_match_the_official_schema(emulator, clock, contract):
    site = emulator.site
    site.set_status(site.issues["ITSM-1"], "Resolved", AGENT)
    clock.advance(hours=1)
    site.set_status(site.issues["ITSM-1"], "Waiting for support", CUSTOMER)
    for key in ("ITSM-1", "ITSM-2", "ITSM-4"):
        _slas(emulator, key)
    assert [p for e in emulator.exchanges for p in contract.problems(e)] == []
