"""safe_json.loads answers the common case on a fast path (C parser with number hooks and a
bracket count) and leaves whatever it doubts to the careful path: for any text, hostile or
not, it must give the careful path's value or raise its very error (message and position)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi_rules import safe_json

CHECKS = settings(max_examples=600, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])

numbers = (st.integers() | st.integers(-(10 ** 45), 10 ** 45) | st.floats(allow_nan=False)
           | st.sampled_from([10 ** 38, 10 ** 39 - 1, 10 ** 39, -(10 ** 39) + 1, -(10 ** 39)]))
strings = st.text(max_size=8) | st.sampled_from(["\\ud800", "é", "\u2028", "\\", '"'])
scalars = st.none() | st.booleans() | numbers | strings
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(strings, inner, max_size=3), max_leaves=12)
# Pieces a hostile text is made of: literals the careful path refuses, surrogate escapes
# (paired and lone), brackets that nest past the limit, a BOM, bytes of broken syntax.
pieces = st.sampled_from([
    "NaN", "-Infinity", "Infinity", "1e400", "-1e309", "1E+999", "1e-400", "7" * 40,
    "-" + "9" * 39, "9" * 39, "9" * 5000, "1." + "0" * 50, '"\\ud800"', '"\\udc00x"',
    '"\\ud83d\\ude00"', '"\\uD83D"', "\ud800", "\ufeff", "[" * 70, "]" * 70, "{\"a\":" * 66,
    "}" * 66, "[" * 64, "]" * 64, ",", ":", '"', "\\", " ", "\n", "\u2028", "é", "0", "-", "[]",
])


def _nested(depth: int, leaf: str) -> str:
    return "[" * depth + leaf + "]" * depth


@st.composite
def texts(draw: st.DrawFn) -> str:
    text = json.dumps(draw(values), ensure_ascii=draw(st.booleans()))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 2))
        text = text[:at] + draw(pieces) + text[at + cut:]
    if not draw(st.integers(0, 4)):
        text = _nested(draw(st.integers(60, 70)), text)
    return text


def _outcome(parse, text: str) -> tuple:
    try:
        value = parse(text)
    except json.JSONDecodeError as exc:
        return (type(exc).__name__, exc.msg, exc.pos)
    return ("value", repr(value))


@CHECKS
@given(text=texts())
def test_fast_path_gives_the_careful_answer(text: str) -> None:
    assert _outcome(safe_json.loads, text) == _outcome(safe_json._careful_loads, text)


@pytest.mark.parametrize("text", [
    _nested(64, "1"), _nested(65, "1"), _nested(5000, ""), "[" + "7" * 39 + "]",
    "[" + "7" * 40 + "]", "-" + "9" * 39, "1e308", "1.8e308", "[1e400, ]", "[NaN, ]",
    '{"a": "\\ud800"}', '{"a": "\\ud83d\\ude00"}', "\ufeff{}", '{"a": 1} x', "",
    '"' + "[" * 100 + '"', '{"id": "x", "raw": ' + _nested(70, "") + "}",
])
def test_edge_cases_match_the_careful_path(text: str) -> None:
    assert _outcome(safe_json.loads, text) == _outcome(safe_json._careful_loads, text)


def test_bytes_are_decoded_first_and_bad_bytes_refused() -> None:
    assert safe_json.loads(b'{"a": [1, 2.5, "\xc3\xa9"]}') == {"a": [1, 2.5, "é"]}
    with pytest.raises(safe_json.JsonRefused, match="not valid UTF-8"):
        safe_json.loads(b'{"a": "\xff"}')
