"""Policy regexes, run in linear time: every `matches` pattern is compiled here, with RE2.

Python's `re` backtracks: `^(a+)+$` against forty `a`s and a `b` runs for hours, and a policy
author (or an attacker with write access to a policy repository) could freeze `validate`,
`evaluate` and a live `serve` with one line. RE2 (the `google-re2` package) guarantees time
linear in the input and bounds its memory (`MAX_MEMORY`), so a pattern it accepts can never
hang anything. What RE2 refuses - backreferences (`\\1`), lookaround (`(?=`, `(?<!`), `\\Z`
(write `$`), repetition counts over 1000 - cannot be bounded, and validation reports it at
the pattern's file:line.

Semantics are Python's `re.search` with RE2's dialect: `$` is the end of the text (as `\\Z`),
`\\d`/`\\w` are ASCII. Every place that runs a policy regex (validation, the overlap solver,
evaluation, the engine's precomputed facts) compiles through `compile_pattern`, so they all
agree.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import re2  # google-re2: linear-time matching; see pyproject.toml

MAX_MEMORY = 8 << 20  # bytes RE2 may use for one compiled pattern


class UnboundedPattern(re.error):
    """A pattern RE2 cannot run; a `re.error`, so existing handlers treat it as invalid."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # the reason goes into our finding, not to stderr
    options.max_mem = MAX_MEMORY
    return options


_OPTIONS = _options()


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Any:
    """The pattern compiled for linear-time `.search(text)`; UnboundedPattern if RE2 refuses it
    (checked after Python's own parser, so a plain syntax error reads as one)."""
    re.compile(pattern)  # raises re.error with Python's message for plain mistakes
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(
            exc.args[0], bytes) else str(exc)
        raise UnboundedPattern(f"cannot be matched in bounded time ({reason}); backreferences, "
                               f"lookaround and \\Z are not supported (use $ for \\Z)") from None


def search(pattern: str, text: str) -> bool:
    """`re.search(pattern, text) is not None`, in time linear in `text`."""
    return compile_pattern(pattern).search(text) is not None
