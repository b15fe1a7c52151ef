"""Published artefacts are generated from the code: schemas/ and docs/reference.md must be fresh."""

from __future__ import annotations

from csi_rules.cli.schema_cmd import all_schemas, render
from csi_rules.docgen import reference
from tests.conftest import ROOT


def test_published_schemas_are_fresh(plugins):
    for name, schema in all_schemas(plugins).items():
        path = ROOT / "schemas" / name
        assert path.exists(), f"{path} missing: run csi-rules schema --builtin-only --output schemas"
        assert path.read_text() == render(schema), (
            f"{path} is stale: run csi-rules schema --builtin-only --output schemas")


def test_reference_doc_is_fresh(plugins):
    path = ROOT / "docs" / "reference.md"
    assert path.read_text() == reference(plugins), (
        "docs/reference.md is stale: run python -m csi_rules.docgen docs/reference.md")


def test_every_kind_action_and_parameter_is_documented(plugins):
    for name in plugins.kinds:
        assert plugins.kinds.get(name).description, f"kind {name} has no description"
    for name in plugins.actions:
        action = plugins.actions.get(name)
        assert action.description, f"action {name} has no description"
        for param, schema in action.params_schema.get("properties", {}).items():
            assert schema.get("description"), f"action {name} parameter {param} undocumented"


def test_example_policies_point_editors_at_the_published_schema():
    for path in (ROOT / "policies").rglob("*.yaml"):
        if "tests" in path.parts or "mappings" in path.parts:
            continue
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=../../schemas/"), path
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target.exists(), f"{path} points at missing {target}"
