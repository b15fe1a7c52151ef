"""Check the shape of a raw condition mapping before it is parsed into a tree.

The schema says which keys exist and what types they hold; this says which combinations
make sense, with a message that tells the author what to write instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from csi_rules.conditions.ast import OPERATORS, Pointer

COMBINATORS = ("all", "any", "not")


def shape_problems(raw: Any, pointer: Pointer) -> Iterator[tuple[Pointer, str]]:
    """(pointer, message) for every mis-shaped condition in the tree rooted at `raw`."""
    if not isinstance(raw, dict):
        return  # the schema already reported it
    combinators = [k for k in COMBINATORS if k in raw]
    ops = [k for k in raw if k in OPERATORS]
    if combinators:
        if len(combinators) > 1 or "field" in raw or ops:
            others = [k for k in raw if k != combinators[0]]
            yield pointer, (f"'{combinators[0]}' cannot be combined with {', '.join(others)} "
                            f"in one condition; nest them inside '{combinators[0]}'")
        for key in combinators:
            value = raw[key]
            if key == "not":
                yield from shape_problems(value, (*pointer, key))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    yield from shape_problems(item, (*pointer, key, i))
        return
    if "field" not in raw:
        yield pointer, (f"a matcher needs 'field' (got {', '.join(map(str, raw))}); "
                        "write e.g. {field: priority, lte: 2}")
    elif not ops:
        yield pointer, (f"matcher on {raw['field']!r} has no operator; "
                        f"use one of {', '.join(OPERATORS)}")
    elif len(ops) > 1:
        yield pointer, (f"matcher on {raw['field']!r} has several operators ({', '.join(ops)}); "
                        "use one per matcher and combine with all/any")
