"""The condition language: structured matchers over dotted field paths, combined with all/any/not."""

from csi_rules.conditions.ast import OPERATORS, AllOf, AnyOf, Condition, Matcher, Not
from csi_rules.conditions.evaluate import Reason, evaluate, explain
from csi_rules.conditions.parse import parse_condition

__all__ = [
    "OPERATORS",
    "AllOf",
    "AnyOf",
    "Condition",
    "Matcher",
    "Not",
    "Reason",
    "evaluate",
    "explain",
    "parse_condition",
]
