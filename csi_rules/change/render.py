"""Gate results as text (terminals), markdown (pull-request comments) or JSON (pipelines)."""

from __future__ import annotations

import json

from csi_rules.change.gate import GateResult

_MARK = {True: "pass", False: "FAIL"}


def as_text(result: GateResult) -> str:
    lines = [f"{result.change_label}: {result.verdict.upper()} at {result.now.isoformat()}"]
    for c in result.checks:
        mark = _MARK[c.passed] if c.passed or c.severity == "blocking" else "warn"
        lines.append(f"  [{mark}] {c.policy}/{c.check}: {c.reason}  ({c.source})")
    return "\n".join(lines)


def as_markdown(result: GateResult) -> str:
    icon = {"go": "✅", "no-go": "⛔", "go-with-warnings": "⚠️"}[result.verdict]
    lines = [f"### {icon} {result.change_label}: **{result.verdict}**", "",
             "| check | severity | result | reason | source |", "|---|---|---|---|---|"]
    for c in result.checks:
        reason = c.reason.replace("|", "\\|")
        lines.append(f"| {c.policy}/{c.check} | {c.severity} | "
                     f"{'pass' if c.passed else 'fail'} | {reason} | `{c.source}` |")
    return "\n".join(lines)


def as_json(result: GateResult) -> str:
    return json.dumps(result.to_json(), indent=2)


RENDERERS = {"text": as_text, "markdown": as_markdown, "json": as_json}
