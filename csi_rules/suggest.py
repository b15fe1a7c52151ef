"""'Did you mean' for unknown names: valid choices plus the nearest one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def unknown_name(what: str, name: str, choices: Iterable[str]) -> str:
    """`unknown action type 'asign'; did you mean 'assign'? (valid: a, b, c)`"""
    valid = sorted(choices)
    near = [v for v in valid if _folded(v) == _folded(name)]  # 'In Progress' -> 'in_progress'
    near = near or difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown {what} {name!r}{hint} (valid: {', '.join(valid) or 'none'})"


def _folded(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())
