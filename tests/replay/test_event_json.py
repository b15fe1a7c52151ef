"""`csi-rules replay --format json` writes each event as json.dumps(event.to_json()) would,
byte for byte, from parts it encodes once (replay/event_json.py)."""

from __future__ import annotations

import json
from dataclasses import replace

from csi_rules.plugins import load_plugins
from csi_rules.policy.model import Action
from csi_rules.policy.validate import load_policy_set
from csi_rules.replay import history_end, load_history, replay
from csi_rules.replay.event_json import EventLines
from tests.conftest import ROOT
from tests.replay.conftest import EXTRACT, UCI_MAPPING


def test_every_event_line_equals_the_plain_encoding_of_its_json() -> None:
    policy_set = load_policy_set([str(ROOT / "policies")], load_plugins(entry_points=False))
    records = load_history(str(EXTRACT), UCI_MAPPING).records
    end = history_end(records)
    assert end is not None
    events = replay(policy_set, records, end).events
    assert {e.outcome for e in events} >= {"threshold", "breached", "achieved", "escalation"}
    odd = replace(events[0], record_label="Störung «ünïcode» \"quoted\"\n\U0001F600",
                  metric=None, rule=None, explanation="tab\there",
                  actions=(Action("notify", {"to": ["ops", "Zoë"], "n": 1.5, "ok": True,
                                             "none": None}),))
    line = EventLines().line
    for event in [*events, odd, odd]:
        assert line(event) == json.dumps(event.to_json())
