"""`csi-rules log show --record ID`: a ticket's decision history, in words an agent can read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _reason(reason: Mapping[str, Any]) -> str:
    seen = "<missing>" if reason.get("missing") else repr(reason.get("actual"))
    mark = "ok" if reason.get("result") else "no"
    return f"[{mark}] {reason.get('field')} {reason.get('op')} {reason.get('expected')!r} " \
           f"(saw {seen})"


def _action(action: Mapping[str, Any]) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in action.get("params", {}).items())
    detail = f": {action['detail']}" if action.get("detail") else ""
    return f"{action['type']}({params}) → {action['status']}{detail}"


def explain_entry(entry: Mapping[str, Any]) -> list[str]:
    if entry.get("type") != "decision":
        return [f"#{entry.get('seq')} {entry.get('at')}  {entry.get('type')} "
                f"{entry.get('version', '')[:12]}"]
    policy = entry["policy"]
    what = f"rule {entry['rule']}" if entry.get("rule") else "default"
    shadow = "  [dry run]" if entry.get("dry_run") else ""
    lines = [f"#{entry['seq']} {entry['at']}  {policy['name']} ({policy['kind']}) → {what} "
             f"[{entry.get('outcome')}]{shadow}",
             f"    policy version {str(policy.get('version', ''))[:12]} at {entry.get('source')}"]
    lines += [f"    because {_reason(r)}" for r in entry.get("reasons", ())]
    if entry.get("explain"):
        lines.append(f"    because {entry['explain']}")
    lines += [f"    did {_action(a)}" for a in entry.get("actions", ())]
    return lines


def explain_history(record_id: str, entries: Iterable[Mapping[str, Any]]) -> str:
    entries = list(entries)
    if not entries:
        return f"{record_id}: no decisions logged"
    first = entries[0]["record"]
    via = entries[0].get("adapter")
    head = f"{first.get('label') or record_id} ({first.get('id')}, via {via}): " \
           f"{len(entries)} decision(s)"
    return "\n".join([head, *(line for e in entries for line in explain_entry(e))])
