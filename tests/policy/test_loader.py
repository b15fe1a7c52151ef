from __future__ import annotations

from csi_rules.policy.loader import load_text


def test_every_node_has_its_line_and_column():
    docs, findings = load_text("a: 1\nb:\n  - x\n  - {c: 2}\n", "f.yaml")
    assert findings == []
    assert docs[0].locate(("b", 1, "c")) == (4, 6)
    assert docs[0].locate(("b", 0)) == (3, 5)


def test_duplicate_keys_are_reported_with_both_lines():
    _, findings = load_text("spec:\n  x: 1\n  y: 2\n  x: 3\n", "f.yaml")
    assert [f.format() for f in findings] == [
        "f.yaml:4:3: spec.x: duplicate key 'x' (first defined on line 2)"]


def test_python_tags_cannot_build_objects():
    docs, findings = load_text("a: !!python/object/apply:os.system ['echo pwned']\n", "f.yaml")
    assert docs == []
    assert findings[0].format().startswith("f.yaml:1:4: YAML error: could not determine a constructor")


def test_several_documents_in_one_file_keep_their_own_lines():
    docs, _ = load_text("a: 1\n---\nb: 2\n---\nc: 3\n", "f.yaml")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}, {"c": 3}]
    assert docs[2].locate(("c",)) == (5, 1)


def test_syntax_error_points_at_the_line():
    _, findings = load_text("a: [1,\nb: 2\n", "f.yaml")
    assert findings[0].file == "f.yaml" and findings[0].line >= 2
    assert "YAML syntax error" in findings[0].message


def test_alias_expansion_is_capped_so_a_small_file_cannot_exhaust_memory():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    docs, findings = load_text("\n".join(lines) + "\n", "bomb.yaml")
    assert docs == []
    assert findings[0].format() == ("bomb.yaml:1:1: document too large: more than 200000 nodes "
                                    "once YAML aliases are expanded")


def test_empty_documents_of_a_stream_are_skipped_but_an_explicit_null_is_kept():
    # multi-document tools write a trailing `---`; it holds no policy and is no error
    docs, findings = load_text("---\na: 1\n---\n---\nb: 2\n---\n", "p.yaml")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}] and findings == []
    docs, _ = load_text("a: 1\n--- null\n", "p.yaml")
    assert [d.data for d in docs] == [{"a": 1}, None]


def test_a_trailing_document_separator_validates(cli, tmp_path):
    from tests.conftest import POLICIES

    text = (POLICIES / "routing" / "incident-routing.yaml").read_text(encoding="utf-8")
    (tmp_path / "routing.yaml").write_text(text + "---\n", encoding="utf-8")
    result = cli("validate", str(tmp_path / "routing.yaml"))
    assert result.code == 0, result.out + result.err


def test_the_integer_limit_counts_decimal_digits_in_any_base():
    # 0x + 37 f's is a 45-digit number: over the 39-digit limit however it is written
    for literal, digits in (("0x" + "f" * 37, 45), ("0b" + "1" * 150, 46), ("9" * 5000, 5000)):
        docs, findings = load_text(f"n: {literal}\n", "p.yaml")
        assert docs == [] and [f.message for f in findings] == [
            f"YAML error: integer of {digits} digits is out of range (at most 39 digits)"]
    docs, findings = load_text("a: 0x10\nb: -" + "9" * 39 + "\n", "p.yaml")
    assert findings == [] and docs[0].data == {"a": 16, "b": -int("9" * 39)}
