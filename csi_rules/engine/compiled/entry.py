"""The per-program entry point, generated: `match(data, now) -> {group id: keys}`.

One function per compiled program reads each field once (top-level fields with one
`dict.get`, dotted and derived ones through `fetch`'s getters), checks each group's record
kinds and calls its index (which gives a tuple of keys); no per-record loop in Python beyond
that. The result is looked up by those tuples among the ones made before (`results`): records
that match alike share one result object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from csi_rules.engine.compiled.explain import SET_READ
from csi_rules.engine.compiled.fetch import deep_get, getter
from csi_rules.engine.compiled.results import Results
from csi_rules.engine.lookup import DERIVED_FROM
from csi_rules.records.model import MISSING

Entry = Callable[[Any, datetime], dict[str, list[str]]]
ValuesEntry = Callable[[Any, datetime], tuple[dict[str, list[str]], Any]]  # Any: FieldValues
Run = Callable[[list[Any]], tuple[str, ...]]


def make_entry(paths: Sequence[str], plan: Sequence[tuple[str, frozenset[str], Run]],
               results: Results, values_class: type | None = None) -> Any:
    """`plan`: (group id, kinds, run(values)) per group, in result order; `results` the
    matcher's shared results. With `values_class` (a `FieldValues` class) the function
    returns (result, the field values it read in the order of `paths`, wrapped in one) -
    what the reasons of the matched rules are made from."""
    with_values = values_class is not None
    names: dict[str, Any] = {"M": MISSING, "DEEP": deep_get, "KNOWN": results.known.get,
                             "MAKE": results.make, "FV": values_class, "SET_READ": SET_READ}
    lines = ["def match(data, now):",
             "    if data.__class__ is not dict: return SLOW(data, now)",
             "    get = data.get",
             "    kind = data['kind']",
             "    if kind.__class__ is not str: kind = str(kind)"]
    for i, path in enumerate(paths):
        names[f"p{i}"] = path
        if "." in path or path in DERIVED_FROM:
            names[f"g{i}"] = getter(path)
            lines.append(f"    x{i} = g{i}(data, now)")
        else:
            lines += [f"    x{i} = get(p{i})", f"    if x{i} is None: x{i} = M"]
    lines.append(f"    v = [{', '.join(f'x{i}' for i in range(len(paths)))}]")
    parts = []
    for g, (_, kinds, run) in enumerate(plan):
        names[f"kinds{g}"], names[f"run{g}"] = kinds, run
        parts.append(f"(run{g}(v) if kind in kinds{g} else ())")
    key = parts[0] if len(parts) == 1 else f"({''.join(p + ', ' for p in parts)})"
    lines += [f"    key = {key}",
              "    result = KNOWN(key)",
              "    if result is None: result = MAKE(key)"]
    if with_values:
        lines += ["    read = FV()", "    SET_READ(read, v)", "    return result, read"]
    else:
        lines.append("    return result")
    getters = [getter(p) for p in paths]
    known, make = results.known.get, results.make

    def slow(data: Any, now: datetime) -> Any:
        """Records whose data is some other mapping: the general path."""
        values = [g(data, now) for g in getters]
        kind = str(data["kind"])
        found = tuple(run(values) if kind in kinds else () for _, kinds, run in plan)
        key = found[0] if len(found) == 1 else found
        result = known(key)
        if result is None:
            result = make(key)
        if values_class is None:
            return result
        read = values_class()
        SET_READ(read, values)
        return result, read

    names["SLOW"] = slow
    exec(compile("\n".join(lines), "<csi_rules compiled entry>", "exec"), names)
    return names["match"]
