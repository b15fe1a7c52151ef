"""'Did you mean' for unknown names: valid choices plus the nearest one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def unknown_name(what: str, name: str, choices: Iterable[str]) -> str:
    """`unknown action type 'asign'; did you mean 'assign'? (valid: a, b, c)`"""
    valid = sorted(choices)
    near = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown {what} {name!r}{hint} (valid: {', '.join(valid) or 'none'})"
