"""GET /rest/deployments/0.1/pipelines/{pipelineId}/environments/{environmentId}/deployments/
{deploymentSequenceNumber}/gating-status: Jira's deployment-gating question, answered with
csi-rules' own gate.

A pipeline script that polls Jira-style gating can point at `serve` instead and get the
csi-rules verdict in Jira's shape. The deployment is read
from the platform (an adapter offering `deployment_changes`, the Jira adapter on Cloud); each
associated change is fetched and gated as `csi-rules gate --change-id` would, against the
platform's schedule. go -> allowed; a no-go that waiting can cure (approval still asked for,
window not yet open) -> awaiting; any other no-go -> prevented. It fails closed: a deployment
the platform does not know, one with no change, or a change no GatePolicy judges is `invalid`,
never `allowed`; an unreachable platform is a 503 (ask again), never a verdict.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from csi_rules.change.gate import NO_GO, GateResult, evaluate_gate
from csi_rules.change.platform import platform_schedule
from csi_rules.change.schedule import conflicts_with
from csi_rules.change.waiting import waiting_for
from csi_rules.errors import AdapterUnavailable, CsiRulesError
from csi_rules.plugins import Plugins, load_plugins
from csi_rules.server.context import ServerContext
from csi_rules.server.responses import Answer

PATH = re.compile(r"^/rest/deployments/0\.1/pipelines/(?P<pipeline>[^/]+)/environments/"
                  r"(?P<environment>[^/]+)/deployments/(?P<seq>[^/]+)/gating-status$")
FINDER = "deployment_changes"  # adapter method: (pipeline, environment, n) -> keys | None


@functools.cache
def _plugins() -> Plugins:
    return load_plugins()


def matches(path: str) -> bool:
    return PATH.match(path) is not None


def _messages(status: int, message: str) -> Answer:
    """Errors in the deployments API's own shape (ErrorMessages)."""
    return Answer(status, [{"message": message}])


def _stamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _adapter(ctx: ServerContext, wanted: str | None) -> tuple[Any, str] | None:
    """A fresh adapter that can read deployments: the one named, or the first configured."""
    from csi_rules.runtime.runner import build_adapter

    for spec in ctx.config.adapters:
        if wanted and spec.name != wanted:
            continue
        adapter = build_adapter(_plugins(), spec)
        if callable(getattr(adapter, FINDER, None)):
            return adapter, spec.name
        adapter.close()
    return None


def verdict_of(result: GateResult) -> str:
    if result.verdict != NO_GO:
        return "allowed"
    return "awaiting" if waiting_for(result) is not None else "prevented"


def _judge(ctx: ServerContext, adapter: Any, key: str, now: datetime) -> dict[str, Any]:
    """One associated issue: its gating verdict and why (kind None: not a change)."""
    try:
        change = adapter.fetch_record(key)
    except AdapterUnavailable:
        raise
    except CsiRulesError as exc:
        return {"issueKey": key, "gatingStatus": "invalid", "reasons": [str(exc)]}
    if change.kind != "change":
        return {"issueKey": key, "kind": change.kind}
    policy_set = ctx.policy_set()
    if not any("change" in p.applies_to for p in policy_set.of_kind("GatePolicy")):
        return {"issueKey": key, "gatingStatus": "invalid",
                "reasons": ["no GatePolicy applies to change records: refusing to answer "
                            "allowed without checks"]}
    conflicts = conflicts_with(policy_set, change, platform_schedule(adapter, change))
    result = evaluate_gate(policy_set, change, now, conflicts)
    ctx.metrics.inc("csi_rules_gate_requests_total", verdict=result.verdict)
    failed = [f"{c.check}: {c.reason}" for c in result.checks
              if not c.passed and c.severity == "blocking"]
    return {"issueKey": str(change.get("number") or key), "gatingStatus": verdict_of(result),
            "verdict": result.verdict, "reasons": failed}


def combine(judged: Sequence[Mapping[str, Any]]) -> str:
    """Prevented beats invalid beats awaiting beats allowed; no change at all is invalid."""
    states = [j["gatingStatus"] for j in judged if "gatingStatus" in j]
    if not states:
        return "invalid"
    return next(s for s in ("prevented", "invalid", "awaiting", "allowed") if s in states)


def gating_status(ctx: ServerContext, path: str, query: Mapping[str, list[str]]) -> Answer:
    found = PATH.match(path)
    if found is None:
        return _messages(404, f"no route {path}")
    pipeline, environment = unquote(found["pipeline"]), unquote(found["environment"])
    if not re.fullmatch(r"\d{1,18}", found["seq"]):
        return _messages(400, f"deploymentSequenceNumber {found['seq']!r} is not a number")
    seq = int(found["seq"])
    now = ctx.clock.now()
    answer: dict[str, Any] = {"deploymentSequenceNumber": seq, "pipelineId": pipeline,
                              "environmentId": environment, "updatedTimestamp": _stamp(now),
                              "gatingStatus": "invalid", "details": []}
    named = query.get("adapter") or []
    try:
        chosen = _adapter(ctx, named[-1] if named else None)
    except CsiRulesError as exc:  # the adapter's settings are refused: no verdict, say why
        return _messages(500, f"cannot build the adapter: {exc}")
    if chosen is None:
        answer["csiRules"] = {"reasons": ["no configured adapter reads deployments "
                                          "(the jira adapter on Jira Cloud does)"]}
        return Answer(200, answer)
    adapter, name = chosen
    try:
        keys = getattr(adapter, FINDER)(pipeline, environment, seq)
        if keys is None:
            answer["csiRules"] = {"adapter": name, "reasons": [
                "the platform has no such deployment"]}
            return Answer(200, answer)
        judged = [_judge(ctx, adapter, str(key), now) for key in keys]
        link = getattr(adapter, "issue_link", None)
    except AdapterUnavailable as exc:
        return _messages(503, f"cannot ask the platform now: {exc}")
    finally:
        adapter.close()
    changes = [j for j in judged if "gatingStatus" in j]
    answer["gatingStatus"] = combine(judged)
    answer["details"] = [{"type": "issue", "issueKey": j["issueKey"],
                          "issueLink": link(j["issueKey"]) if callable(link) else ""}
                         for j in changes]
    answer["csiRules"] = {"adapter": name, "changes": changes} if changes else {
        "adapter": name, "reasons": ["the deployment is associated with no change request"]}
    return Answer(200, answer)
