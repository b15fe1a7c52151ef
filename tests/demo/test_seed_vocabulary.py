"""Golden check: every group, person and approval group a shipped policy names exists in both
emulator seeds, so `make demo` never fails on a name the demo itself made up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import POLICIES

pytest.importorskip("csi_rules_servicenow")
pytest.importorskip("csi_rules_jira")

from csi_rules_jira.emulator.seed import load_seed
from csi_rules_servicenow.emulator.seed import default_seed, read_tables

GROUP_FIELDS = ("assignment_group",)
USER_FIELDS = ("assignee",)


def _policy_files() -> list[Path]:
    skip = {POLICIES / "mappings", POLICIES / "tests"}
    return sorted(p for p in POLICIES.rglob("*.yaml") if not skip & set(p.parents))


def _walk(node: Any) -> Iterator[tuple[str, str]]:
    """("group" | "user", name) for every group or person a policy document names."""
    if isinstance(node, dict):
        if isinstance(node.get("group"), str):
            yield "group", node["group"]
        if isinstance(node.get("assignee"), str):
            yield "user", node["assignee"]
        for name in node.get("approvers") or ():
            yield "group", str(name)
        named = node.get("field")
        if named in GROUP_FIELDS + USER_FIELDS:
            kind = "group" if named in GROUP_FIELDS else "user"
            for name in node.get("overrides") or {}:
                yield kind, str(name)
            values = [node["eq"]] if isinstance(node.get("eq"), str) else node.get("in") or []
            for name in values:
                yield kind, str(name)
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def policy_vocabulary() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"group": set(), "user": set()}
    for path in _policy_files():
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for kind, name in _walk(doc):
                found[kind].add(name)
    return found


def servicenow_vocabulary() -> dict[str, set[str]]:
    tables = read_tables(default_seed())
    return {"group": {r["name"] for r in tables["sys_user_group"]},
            "user": {r["user_name"] for r in tables["sys_user"]}}


def jira_vocabulary() -> dict[str, set[str]]:
    seed = load_seed(None)
    return {"group": {g["name"] for g in seed.get("groups", ())},
            "user": {u.get("name", u["accountId"]) for u in seed["users"]}}


def test_the_policies_name_groups_and_people_at_all():
    names = policy_vocabulary()
    assert {"Service Desk", "Service Desk L2", "ecab"} <= names["group"]
    assert "duty.manager" in names["user"]


@pytest.mark.parametrize("seed", [servicenow_vocabulary, jira_vocabulary],
                         ids=["servicenow", "jira"])
def test_every_name_a_policy_uses_is_in_the_emulator_seed(seed):
    names, have = policy_vocabulary(), seed()
    for kind in ("group", "user"):
        missing = sorted(names[kind] - have[kind])
        assert not missing, (f"policies name {kind}s the {seed.__name__[:-11]} seed lacks: "
                             f"{missing}; add them as demo entries (see the seed's SOURCE.md)")


def test_servicenow_demo_entries_are_exactly_what_the_policies_need_beyond_the_samples():
    seed = Path(str(default_seed()))
    key = {"sys_user_group": "name", "sys_user": "user_name"}

    def names(file: str) -> set[str]:
        rows = json.loads((seed / file).read_text("utf-8"))["result"]
        return {r[key[file.split(".")[0]]] for r in rows}

    wanted = policy_vocabulary()
    for table, kind in (("sys_user_group", "group"), ("sys_user", "user")):
        assert names(f"{table}.demo.json") == wanted[kind] - names(f"{table}.json"), table
