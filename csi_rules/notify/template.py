"""Message templates: `{number}`, `{short_description}`, `{sla.percent}` and nothing more.

Placeholders are dotted field paths looked up in plain data; there is no attribute access,
indexing, format spec or expression, so a template can never run code or reach an object's
internals. `{{` and `}}` are literal braces. An absent field renders as `-`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$")
MISSING_TEXT = "-"


def template_problems(template: str) -> list[str]:
    """Why `template` cannot be rendered (empty when it can)."""
    problems = []
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            problems.append(f"unmatched {token!r} (write {token * 2} for a literal brace)")
        elif not _PATH.match(match.group(1)):
            problems.append(f"placeholder {{{match.group(1)}}} is not a field path "
                            "(letters, digits, '_' and '.', e.g. {sla.percent})")
    return problems


def lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _text(value: Any) -> str:
    if value is None:
        return MISSING_TEXT
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    if isinstance(value, Mapping | list | tuple):
        return MISSING_TEXT
    return str(value)


def render(template: str, data: Mapping[str, Any]) -> str:
    """`template` with each placeholder replaced by the field's value as text."""
    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name is None or not _PATH.match(name):
            return token
        return _text(lookup(data, name))
    return _TOKEN.sub(one, template)
