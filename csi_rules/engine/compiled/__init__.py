"""The compiled matcher (default engine): policies compiled once into indexed Python code.

`typing_rules` holds the reference's comparison classes, `fetch` reads a record's fields
once, `codegen` writes leaf functions, `index` is the discrimination tree, `results` shares
one result between records that match alike, `explain` makes a matched rule's reasons and
`reasons` defers that until they are read, `matcher` the facade implementing the `Matcher`
protocol.
"""

from csi_rules.engine.compiled.matcher import CompiledMatcher

__all__ = ["CompiledMatcher"]
