"""LibYAML composes policy files exactly as the Python loader does (same data, same positions),
and a file it refuses is reported with the Python loader's message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from csi_rules.policy import loader

ROOT = Path(__file__).resolve().parents[2]


def _shape(node: yaml.Node | None, out: list) -> list:
    if node is None:
        return out
    out.append((node.tag, node.start_mark.line, node.start_mark.column,
                node.value if isinstance(node, yaml.ScalarNode) else None))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _shape(key, out)
            _shape(value, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _shape(item, out)
    return out


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML without LibYAML")
def test_libyaml_and_python_compose_the_shipped_policies_alike() -> None:
    files = sorted(ROOT.joinpath("policies").rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        slow = [_shape(n, []) for n in yaml.compose_all(text, Loader=loader.PolicyLoader)]
        fast = [_shape(n, []) for n in yaml.compose_all(text, Loader=loader._FastComposer)]
        assert fast == slow, path


def test_a_syntax_error_keeps_the_python_loaders_message() -> None:
    _, findings = loader.load_text("a: {b: 1\nc: 2\n", "f.yaml")
    assert [f.message for f in findings] == [
        "YAML syntax error: expected ',' or '}', but got ':'"]
