"""Schemathesis fuzzes every operation the emulator serves against Atlassian's official documents.

Issue 13: positive and negative generated requests, a bounded number per operation, and two
checks only: no 5xx from the emulator, and every answer whose status the document declares
matches the declared schema. The documents are cut down to the emulator's route table before
loading (read from the table itself, so a new route is fuzzed without touching this file).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from csi_rules_jira.emulator import JiraEmulator, routes_search
from csi_rules_jira.emulator import server as emulator_server

MAX_EXAMPLES = 12                 # per operation and mode: the module stays well under a minute
CHECKS = [not_a_server_error, response_schema_conformance]
AUTH = "Basic " + base64.b64encode(b"mia@example.com:emulator-api-token").decode("ascii")
_PLACEHOLDER = "X1"
_ROUTES = emulator_server._routes(routes_search.SearchCache())
_TIMESTAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)$"
SEEDED = {  # identifiers in the emulator's default seed, by the documents' parameter names
    "issueIdOrKey": ["ITSM-1", "ITSM-3", "ITSM-4", "OPS-1"], "projectIdOrKey": ["ITSM", "10001"],
    "serviceDeskId": ["1"], "requestTypeId": ["1", "2"], "approvalId": ["1", "2"],
    "idOrKey": ["done", "new"], "idOrName": ["10100", "In Progress"], "id": ["1", "10001"],
    "issueLinkTypeId": ["10000", "10003"], "propertyKey": ["csi-rules"],
}
SPECS = {"jira": "jira-platform-swagger-v3.v3.json", "jsm": "jsm-service-management.json",
         "deployments": "jira-software-agile-deployments.json"}


def _find_specs() -> Path:
    """shared/reference/specs beside the repository (locally and in the fresh-clone CI)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference" / "specs"
        if candidate.is_dir():
            return candidate
    raise RuntimeError("shared/reference/specs not found beside the repository")


def _served(method: str, template: str) -> bool:
    """Whether the emulator routes this documented operation (path parameters filled in).

    A route's parameter must match a parameter, not a literal: `/issue/{key}` does not serve
    `/issue/createmeta` (the emulator answers that as an unknown issue).
    """
    concrete = re.sub(r"\{[^}]+\}", _PLACEHOLDER, template)
    for route_method, pattern, _ in _ROUTES:
        match = pattern.fullmatch(concrete)
        if route_method == method.upper() and match and all(
                value == _PLACEHOLDER for value in match.groupdict().values()):
            return True
    return False


def _restricted(name: str) -> dict[str, Any]:
    """The official document with only the operations the emulator serves."""
    with (_find_specs() / SPECS[name]).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    kept: dict[str, Any] = {}
    for template, item in data["paths"].items():
        ops = {k: v for k, v in item.items()
               if k in {"get", "put", "post", "delete", "patch"} and _served(k, template)}
        if ops:
            shared_params = {k: v for k, v in item.items() if k == "parameters"}
            kept[template] = {**shared_params, **ops}
    data["paths"] = kept
    return _jira_timestamps(_bodiless_voids(data))


def _bodiless_voids(data: dict[str, Any]) -> dict[str, Any]:
    """Answers declared as `application/json: {schema: {}}` lose the declaration.

    Atlassian's generator writes that for calls returning nothing (204 edit, 201 property put);
    Jira sends no body there, as contract.py also accepts, and a 204 cannot carry one at all.
    """
    for item in data["paths"].values():
        for operation in item.values():
            for answer in (operation.get("responses") or {}).values() \
                    if isinstance(operation, dict) else ():
                content = answer.get("content") or {}
                if content and all(media.get("schema") == {} for media in content.values()):
                    del answer["content"]
    return data


def _jira_timestamps(node: Any) -> Any:
    """`date-time` becomes a pattern that also takes Jira's `...00.000+0000` form.

    Every Jira site sends offsets without a colon, and the documents' own examples use that
    form (contract.py accepts it the same way); schemathesis has no hook for a custom format
    check, so the format is spelled as the equivalent pattern, as strict as before otherwise.
    """
    if isinstance(node, list):
        return [_jira_timestamps(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _jira_timestamps(value) for key, value in node.items()}
    if out.get("format") == "date-time" and out.get("type") == "string":
        del out["format"]
        out["pattern"] = _TIMESTAMP
    return out


def _load(name: str) -> Any:
    schema = schemathesis.openapi.from_dict(_restricted(name))
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES,
        deterministic=True, with_security_parameters=False, database="none")

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        """Half the cases name a seeded resource, so 2xx answers are fuzzed too, not only 404s."""
        known = {k: st.sampled_from(SEEDED[k]) for k in path_parameters or {} if k in SEEDED}
        if not known:
            return st.just(path_parameters)
        seeded = st.fixed_dictionaries(known).map(lambda ids: {**path_parameters, **ids})
        return st.one_of(st.just(path_parameters), seeded)

    return schema


JIRA = _load("jira")
JSM = _load("jsm")
DEPLOYMENTS = _load("deployments")  # Jira Cloud deployments and gating (the agile document)


@pytest.fixture(scope="module")
def fuzzed_emulator() -> Iterator[JiraEmulator]:
    with JiraEmulator() as emu:     # real clock: generated requests arrive in real time
        yield emu


def _exercise(case: Case, emu: JiraEmulator) -> None:
    case.call_and_validate(base_url=emu.url, headers={"Authorization": AUTH}, checks=CHECKS)


@JIRA.parametrize()
def test_jira_platform_operations_conform(case: Case, fuzzed_emulator: JiraEmulator) -> None:
    _exercise(case, fuzzed_emulator)


@JSM.parametrize()
def test_jsm_operations_conform(case: Case, fuzzed_emulator: JiraEmulator) -> None:
    _exercise(case, fuzzed_emulator)


@DEPLOYMENTS.parametrize()
def test_deployments_operations_conform(case: Case, fuzzed_emulator: JiraEmulator) -> None:
    _exercise(case, fuzzed_emulator)


def test_every_emulated_route_is_fuzzed() -> None:
    """Each route in the emulator's table is kept in a cut-down document (none silently dropped)."""
    kept = [(m.upper(), re.sub(r"\{[^}]+\}", _PLACEHOLDER, p))
            for doc in (_restricted("jira"), _restricted("jsm"), _restricted("deployments"))
            for p, item in doc["paths"].items() for m in item if m != "parameters"]
    unfuzzed = [f"{method} {pattern.pattern}" for method, pattern, _ in _ROUTES
                if not any(m == method and pattern.fullmatch(path) for m, path in kept)]
    assert unfuzzed == []
    assert len(kept) >= 45
