"""The per-program entry point, generated: `match(data, now) -> {group id: keys}`.

One function per compiled program reads each field once (top-level fields with one
`dict.get`, dotted and derived ones through `fetch`'s getters), checks each group's record
kinds and calls its index; no per-record loop in Python beyond that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from csi_rules.engine.compiled.fetch import deep_get, getter
from csi_rules.engine.lookup import DERIVED_FROM
from csi_rules.records.model import MISSING

Entry = Callable[[Any, datetime], dict[str, list[str]]]
ValuesEntry = Callable[[Any, datetime], tuple[dict[str, list[str]], list[Any]]]


def make_entry(paths: Sequence[str],
               plan: Sequence[tuple[str, frozenset[str], Callable[[list[Any]], list[str]]]],
               with_values: bool = False) -> Any:
    """`plan`: (group id, kinds, run(values)) per group, in result order. `with_values`: the
    function returns (result, the field values it read, in the order of `paths`) - what the
    reasons of the matched rules are built from."""
    names: dict[str, Any] = {"M": MISSING, "DEEP": deep_get}
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
    for g, (group_id, kinds, _) in enumerate(plan):
        names[f"id{g}"], names[f"kinds{g}"], names[f"run{g}"] = group_id, kinds, plan[g][2]
        parts.append(f"id{g}: (run{g}(v) if kind in kinds{g} else [])")
    result = f"{{{', '.join(parts)}}}"
    lines.append(f"    return {result}, v" if with_values else f"    return {result}")
    getters = [getter(p) for p in paths]

    def slow(data: Any, now: datetime) -> Any:
        """Records whose data is some other mapping: the general path."""
        values = [g(data, now) for g in getters]
        kind = str(data["kind"])
        result = {gid: run(values) if kind in kinds else [] for gid, kinds, run in plan}
        return (result, values) if with_values else result

    names["SLOW"] = slow
    exec(compile("\n".join(lines), "<csi_rules compiled entry>", "exec"), names)
    return names["match"]
