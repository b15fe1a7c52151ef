"""The rules engine: rule groups in, matching rule keys out.

`groups` is the engine's input, `reference` the plain-Python oracle, `compiler` + `facts`
turn groups and records into durable-rules rulesets and typed facts, `durable_host` is the
only module that touches durable-rules, and `matcher.DurableMatcher` is the facade that
runs it in a worker process.
"""

from csi_rules.engine.groups import HIT_POLICIES, MatchResult, RuleGroup, RuleSpec
from csi_rules.engine.lookup import record_lookup
from csi_rules.engine.reference import ReferenceMatcher

__all__ = [
    "HIT_POLICIES",
    "MatchResult",
    "ReferenceMatcher",
    "RuleGroup",
    "RuleSpec",
    "record_lookup",
]
