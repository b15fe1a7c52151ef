"""The rules engine: rule groups in, matching rule keys out.

`groups` is the engine's input, `compiled` the default matcher (generated, indexed Python),
`reference` the plain-Python oracle, `select` picks one by name, `verify` checks a sample of
one engine's answers on another, `lowering` + `compiler`
turn groups into durable-rules rulesets (pure), `facts` projects records onto typed facts,
`durable_host` is the only module that imports durable-rules, `worker` runs it in a child
process, and `matcher.DurableMatcher` is the facade.

Names are imported on first use (PEP 562): validating a policy reads `engine.groups` and must
not pay for the durable facade, its worker (multiprocessing) and the reference matcher (CLI
start-up time). No exported name equals a submodule's name, so none can be shadowed by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csi_rules.lazy_exports import lazy_getattr

if TYPE_CHECKING:
    from csi_rules.engine.compiler import compile_groups
    from csi_rules.engine.groups import HIT_POLICIES, MatchResult, RuleGroup, RuleSpec
    from csi_rules.engine.lookup import record_lookup
    from csi_rules.engine.matcher import DurableMatcher
    from csi_rules.engine.reference import ReferenceMatcher

_WHERE = {
    "compile_groups": "csi_rules.engine.compiler",
    **dict.fromkeys(("HIT_POLICIES", "MatchResult", "RuleGroup", "RuleSpec"),
                    "csi_rules.engine.groups"),
    "record_lookup": "csi_rules.engine.lookup",
    "DurableMatcher": "csi_rules.engine.matcher",
    "ReferenceMatcher": "csi_rules.engine.reference",
}


__getattr__ = lazy_getattr(__name__, _WHERE, globals())


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
