"""The condition language: structured matchers over dotted field paths, combined with all/any/not.

Names are imported on first use (PEP 562): importing `csi_rules.conditions.ast` to read a policy
need not import the evaluator and the record model (CLI start-up time). The function
`evaluate` is not offered here: once the submodule `csi_rules.conditions.evaluate` is imported,
the package attribute of that name is the submodule, so import it from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csi_rules.lazy_exports import lazy_getattr

if TYPE_CHECKING:
    from csi_rules.conditions.ast import OPERATORS, AllOf, AnyOf, Condition, Matcher, Not
    from csi_rules.conditions.evaluate import Reason, explain
    from csi_rules.conditions.parse import parse_condition

_WHERE = {
    **dict.fromkeys(("OPERATORS", "AllOf", "AnyOf", "Condition", "Matcher", "Not"),
                    "csi_rules.conditions.ast"),
    **dict.fromkeys(("Reason", "explain"), "csi_rules.conditions.evaluate"),
    "parse_condition": "csi_rules.conditions.parse",
}


__getattr__ = lazy_getattr(__name__, _WHERE, globals())


__all__ = [
    "OPERATORS",
    "AllOf",
    "AnyOf",
    "Condition",
    "Matcher",
    "Not",
    "Reason",
    "explain",
    "parse_condition",
]
