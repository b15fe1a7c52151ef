"""The rules engine: rule groups in, matching rule keys out.

`groups` is the engine's input, `compiled` the default matcher (generated, indexed Python),
`reference` the plain-Python oracle, `select` picks one by name, `verify` checks a sample of
one engine's answers on another, `lowering` + `compiler`
turn groups into durable-rules rulesets (pure), `facts` projects records onto typed facts,
`durable_host` is the only module that imports durable-rules, `worker` runs it in a child
process, and `matcher.DurableMatcher` is the facade.
"""

from csi_rules.engine.compiler import compile_groups
from csi_rules.engine.groups import HIT_POLICIES, MatchResult, RuleGroup, RuleSpec
from csi_rules.engine.lookup import record_lookup
from csi_rules.engine.matcher import DurableMatcher
from csi_rules.engine.reference import ReferenceMatcher

__all__ = [
    "HIT_POLICIES",
    "DurableMatcher",
    "MatchResult",
    "ReferenceMatcher",
    "RuleGroup",
    "RuleSpec",
    "compile_groups",
    "record_lookup",
]
