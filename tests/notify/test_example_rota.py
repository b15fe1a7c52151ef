"""The shipped rotas (policies/escalation/network-on-call.yaml) answer `csi-rules oncall`, and
the shipped ladder's backup rung reaches whoever the backup rota has on call."""

from __future__ import annotations

import json
from datetime import datetime

import yaml

from csi_rules.notify.message import recipients
from csi_rules.notify.rota import resolve
from csi_rules.plugins import load_plugins
from csi_rules.policy.loader import iter_policy_files
from csi_rules.policy.validate import load_policy_set
from csi_rules.runtime.notifications import rotas_of
from tests.conftest import POLICIES


def shipped_rotas() -> list[str]:
    return sorted(doc["metadata"]["name"] for path in iter_policy_files([str(POLICIES)])
                  for doc in yaml.safe_load_all(path.read_text())
                  if isinstance(doc, dict) and doc.get("kind") == "OnCallRota")


def test_every_shipped_rota_names_someone_on_call_with_hand_overs(cli):
    names = shipped_rotas()
    assert {"network", "network-backup"} <= set(names)
    for name in names:
        result = cli("oncall", "--policies", str(POLICIES), "--rota", name, "--at",
                     "2026-03-02T10:00", "--format", "json")
        assert result.code == 0, result.err
        primary = json.loads(result.out)["primary"]
        assert primary["name"] and primary["since"] < "2026-03-02T10:00" < primary["until"]


def test_the_network_rota_its_easter_swap_and_its_backup(cli):
    def oncall(at: str) -> dict:
        result = cli("oncall", "--policies", str(POLICIES), "--rota", "network", "--at", at,
                     "--format", "json")
        assert result.code == 0, result.err
        return json.loads(result.out)

    week = oncall("2026-03-02T10:00")
    assert (week["primary"]["name"], week["primary"]["until"], week["primary"]["to"]) == (
        "Chiara Rossi", "2026-03-09T09:00:00+01:00", "Alice Meyer")
    assert (week["backup"]["rota"], week["backup"]["name"]) == ("network-backup", "Dana Vogel")
    easter = oncall("2026-04-06T12:00")["primary"]
    assert (easter["name"], easter["override"], easter["since"], easter["until"]) == (
        "Chiara Rossi", True, "2026-04-06T00:00:00+02:00", "2026-04-07T00:00:00+02:00")


def test_the_backup_rung_addresses_the_backup_rotas_person_on_call():
    policy_set = load_policy_set([str(POLICIES)], load_plugins(entry_points=False))
    rotas = rotas_of(policy_set)
    assert "network-on-call" in {p.name for p in policy_set.policies}
    levels = {lv["id"]: lv for lv in _spec("network-on-call")["levels"]}
    at = datetime.fromisoformat("2026-03-02T10:05:00+01:00")
    to = {lv: [a["notify"]["to"] for a in levels[lv]["actions"]] for lv in levels}
    assert [recipients(t, lambda ref: resolve(rotas, ref[5:], at)) for t in to["primary"]] == \
        [("chiara.rossi@example.com",)] * 2
    assert [recipients(t, lambda ref: resolve(rotas, ref[5:], at)) for t in to["backup"]] == \
        [("dana.vogel@example.com",)] * 2


def _spec(name: str) -> dict:
    for path in iter_policy_files([str(POLICIES)]):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("metadata", {}).get("name") == name:
                return doc["spec"]
    raise AssertionError(name)
