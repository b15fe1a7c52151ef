"""The quick "is this document valid?" answers exactly as jsonschema's errors do.

validate (and the loaders of CSV mappings and conflict specs) report jsonschema's errors only
for documents the quick walk does not call valid, so a walk that called an invalid document
valid would hide its errors; these tests compare the two on every policy and mapping file in
the repository and on many broken variants of them. The walk never imports jsonschema itself.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from csi_rules.conflicts.schema import CONFLICT_POLICY_SPEC_SCHEMA
from csi_rules.ingest.mapping_schema import MAPPING_SCHEMA
from csi_rules.plugins import load_plugins
from csi_rules.policy.loader import load_text
from csi_rules.policy.schema_verdict import KEYWORDS, SchemaVerdict
from csi_rules.policy.validate import _kind_schema, _validator
from tests.conftest import ROOT

PLUGINS = load_plugins()
FILES = sorted(p for d in ("policies", "tests") for p in (ROOT / d).rglob("*.y*ml"))
ALL_DOCS = [doc.data for path in FILES for doc in load_text(path.read_text(), str(path))[0]
            if isinstance(doc.data, dict)]
DOCS = [d for d in ALL_DOCS if d.get("kind") in PLUGINS.kinds]
MAPPINGS = [d for d in ALL_DOCS if str(d.get("kind")).endswith("CsvMapping")]
SPECS = [{"kind": "ConflictPolicy spec", **d["spec"]} for d in DOCS
         if d["kind"] == "ConflictPolicy" and isinstance(d.get("spec"), dict)]
SCHEMAS = {**{kind: _kind_schema(kind, PLUGINS) for kind in PLUGINS.kinds},
           "ChangeCsvMapping": MAPPING_SCHEMA, "SnapshotCsvMapping": MAPPING_SCHEMA,
           "ConflictPolicy spec": CONFLICT_POLICY_SPEC_SCHEMA}
VALIDATORS = {kind: _validator(kind, PLUGINS) if kind in PLUGINS.kinds
              else Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}
VERDICTS = {kind: SchemaVerdict(schema) for kind, schema in SCHEMAS.items()}


def _agrees(data: Any) -> bool:
    kind = data["kind"]
    instance = {k: v for k, v in data.items() if k != "kind"} if kind.endswith(" spec") else data
    no_errors = not any(True for _ in VALIDATORS[kind].iter_errors(instance))
    return VERDICTS[kind].certainly_valid(instance) == no_errors


def test_every_policy_document_in_the_repository_gets_jsonschemas_verdict():
    assert len(DOCS) > 30
    assert [d["metadata"]["name"] for d in DOCS if not _agrees(d)] == []


def test_every_mapping_and_conflict_spec_in_the_repository_gets_jsonschemas_verdict():
    assert len(MAPPINGS) >= 3 and len(SPECS) >= 1
    assert [d for d in MAPPINGS + SPECS if not _agrees(d)] == []


def test_the_walk_knows_the_keywords_jsonschema_validates_with():
    assert set(Draft202012Validator.VALIDATORS) == KEYWORDS
    assert Draft202012Validator({}).format_checker is None  # format: an annotation


def test_loading_valid_conflict_policies_and_mappings_does_not_import_jsonschema():
    """`csi-rules conflicts` start-up: jsonschema costs more than the rest of its imports."""
    code = ("import sys; from csi_rules.plugins import load_plugins; "
            "from csi_rules.policy.validate import load_policy_set; "
            "from csi_rules.ingest.mapping import load_mapping; "
            f"load_policy_set([{str(ROOT / 'policies/change/conflicts.yaml')!r}], "
            "load_plugins()); "
            f"load_mapping({str(ROOT / 'policies/mappings/rabobank-changes.yaml')!r}); "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*at, i))
    return found


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 200), st.sampled_from([1.0, 2.5, -0.5]),
                    st.sampled_from(["", "x", "P1", "high", "incident", "change", "1h", "30m",
                                     "Europe/Amsterdam", "mon", "09:00", "assign", "BAD NAME",
                                     "a.b", "priority", "in_progress", "first", "collect"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["field", "eq", "in", "all", "any", "not", "id", "when", "actions", "x", "group"]),
        inner, max_size=3)), max_leaves=6)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_broken_variants_of_the_policies_get_jsonschemas_verdict(data):
    doc = copy.deepcopy(data.draw(st.sampled_from(DOCS + MAPPINGS + SPECS)))
    for _ in range(data.draw(st.integers(1, 3))):
        inner = [p for p in _paths(doc) if len(p) > 1]
        if not inner:
            break
        path = data.draw(st.sampled_from(inner))
        if path[0] == "kind":
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = data.draw(VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "id", "when", "priority"]))] = \
                data.draw(VALUES)
        else:
            parent.append(data.draw(VALUES))
    assert _agrees(doc)


@pytest.mark.parametrize("schema", [
    {"type": "object", "patternProperties": {"^a": {"type": "string"}}},
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"$ref": "other.json#/$defs/x"},
    {"properties": {"a": {"$id": "https://elsewhere/", "type": "string"}}},
    {"properties": {"a": "not a schema"}},
])
def test_a_schema_the_walk_does_not_spell_out_is_left_to_jsonschema(schema):
    assert SchemaVerdict(schema).certainly_valid({"a": "x"}) is False


def test_an_invalid_document_is_reported_as_before(tmp_path: Path):
    from csi_rules.policy.validate import validate_paths

    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: csi-rules/v1\nkind: RoutingPolicy\nmetadata: {name: r}\n"
                   "spec:\n  rules:\n    - id: a\n      when: {field: priority, eq: 1}\n"
                   "      actions: [{assign: {group: 7}}]\n")
    found = validate_paths([str(bad)], PLUGINS).findings
    assert [f.format() for f in found] == [
        f"{bad}:8:27: policy r: spec.rules.0.actions.0.assign.group: 7 is not of type 'string'"]
