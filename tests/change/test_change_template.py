"""A change template with fields the request does not know is refused before anything is opened."""

from __future__ import annotations


def test_unknown_fields_including_a_number_key_are_named(cli, tmp_path):
    template = tmp_path / "change.yaml"
    template.write_text("short_description: deploy\n1: x\nrisc: high\n")
    result = cli("change", "open", "--template", str(template), "--window", "2h",
                 "--run-id", "r1", "--adapter", "servicenow")
    assert result.code == 2, result.err
    assert "unknown field(s) 1, risc (known: change_type" in result.err
    assert "Traceback" not in result.err
