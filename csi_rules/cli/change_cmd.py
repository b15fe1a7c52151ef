"""`csi-rules change open|record|close`: the pipeline's side of a change request.

    change open   --adapter A --run-id ID [--template FILE] [--type normal] [--window 2h] ...
    change record --adapter A --change-id CHG... --started|--succeeded|--failed [--build-url U]
    change close  --adapter A --change-id CHG... [--code successful|successful_issues|unsuccessful]

`open` prints the change number (or JSON with --format json) and is idempotent per run id: a
retried job gets the change it opened the first time. Exit 2 on bad input, 3 when the platform
cannot be reached.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import Any

from csi_rules.change.lifecycle import (
    CHANGE_TYPES,
    REQUEST_FIELDS,
    ChangeRequest,
    Deployment,
    lifecycle_of,
)
from csi_rules.cli.common import add_now, read_yaml_mapping
from csi_rules.cli.gate import adapter_config
from csi_rules.clock import parse_now
from csi_rules.errors import EXIT_OK, UsageError
from csi_rules.plugins import load_plugins
from csi_rules.records.fields import RISK_LEVELS
from csi_rules.sla.durations import parse_duration


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("change", help="open, record and close a pipeline's change request")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="open|record|close")
    opening = verbs.add_parser("open", help="open a change request (idempotent per --run-id)")
    _common(opening)
    opening.add_argument("--run-id", required=True, help="the pipeline run's id: a retried run "
                         "finds the change it opened instead of opening another")
    opening.add_argument("--template", metavar="FILE", help="YAML/JSON with the change's "
                         f"fields ({', '.join(REQUEST_FIELDS)})")
    opening.add_argument("--type", dest="change_type", choices=CHANGE_TYPES)
    opening.add_argument("--short-description")
    opening.add_argument("--model", help="catalogue model of a standard change")
    opening.add_argument("--planned-start", metavar="ISO8601")
    opening.add_argument("--planned-end", metavar="ISO8601")
    opening.add_argument("--window", metavar="DURATION", help="planned window from now "
                         "(or --planned-start) for this long, e.g. 2h")
    opening.add_argument("--ci", action="append", dest="configuration_items", metavar="NAME")
    opening.add_argument("--assignment-group")
    opening.add_argument("--risk", choices=RISK_LEVELS)
    opening.add_argument("--format", choices=("text", "json"), default="text")
    _deployment(opening)
    opening.set_defaults(run=run_open)

    recording = verbs.add_parser("record", help="write a deployment's start or outcome")
    _common(recording)
    recording.add_argument("--change-id", required=True)
    phase = recording.add_mutually_exclusive_group(required=True)
    for name in ("started", "succeeded", "failed"):
        phase.add_argument(f"--{name}", dest="phase", action="store_const", const=name)
    recording.add_argument("--build-url", default="")
    recording.add_argument("--commit", default="")
    recording.add_argument("--message", default="")
    _deployment(recording)
    recording.set_defaults(run=run_record)

    closing = verbs.add_parser("close", help="close the change with a close code")
    _common(closing)
    closing.add_argument("--change-id", required=True)
    closing.add_argument("--code", default="successful",
                         choices=("successful", "successful_issues", "unsuccessful"))
    closing.add_argument("--notes", default="")
    closing.set_defaults(run=run_close)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--adapter", required=True, metavar="NAME", help="servicenow, jira, ...")
    p.add_argument("--adapter-config", metavar="FILE", help="adapter settings (YAML)")
    add_now(p)


def _deployment(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("deployment (Jira Cloud's deployments API and gating; all three "
                             "together)")
    g.add_argument("--pipeline", metavar="ID", help="the pipeline's id, e.g. "
                   "$GITHUB_REPOSITORY/$GITHUB_WORKFLOW")
    g.add_argument("--environment", metavar="NAME", help="the environment deployed to")
    g.add_argument("--deployment-number", type=int, metavar="N", help="the deployment's "
                   "sequence number in that pipeline and environment, e.g. $GITHUB_RUN_NUMBER")
    g.add_argument("--environment-type", choices=("unmapped", "development", "testing",
                                                   "staging", "production"))


def _lifecycle(args: argparse.Namespace) -> Any:
    adapter = load_plugins().adapters.get(args.adapter)(adapter_config(args.adapter_config))
    lifecycle_of(adapter, args.adapter)
    named = tuple(getattr(args, n, None) for n in ("pipeline", "environment",
                                                   "deployment_number"))
    if any(v is not None for v in named):
        if not all(v is not None for v in named):
            raise UsageError("--pipeline, --environment and --deployment-number go together")
        target = getattr(adapter, "target_deployment", None)
        if target is None:
            raise UsageError(f"adapter {args.adapter!r} does not report deployments "
                             "(--pipeline, --environment, --deployment-number)")
        target(*named, getattr(args, "environment_type", None))
    return adapter


def _template(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    data = read_yaml_mapping(path, "--template", "a change template is a mapping of fields")
    unknown = sorted(map(str, set(data) - set(REQUEST_FIELDS)))  # YAML keys may be numbers
    if unknown:
        raise UsageError(f"{path}: unknown field(s) {', '.join(unknown)} "
                         f"(known: {', '.join(REQUEST_FIELDS)})")
    return dict(data)


def _time(flag: str, value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise UsageError(f"{flag}: {value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise UsageError(f"{flag}: {value!r} has no UTC offset (add 'Z' or '+01:00')")
    return moment


def request_from(args: argparse.Namespace, now: datetime) -> ChangeRequest:
    """Template fields, overridden by the command line; a window from --window if asked."""
    fields = _template(args.template)
    for name in REQUEST_FIELDS:
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    if fields.get("planned_start") is not None:
        fields["planned_start"] = _time("planned_start", fields["planned_start"])
    if fields.get("planned_end") is not None:
        fields["planned_end"] = _time("planned_end", fields["planned_end"])
    if args.window:
        try:
            length = timedelta(seconds=parse_duration(args.window))
        except ValueError as exc:
            raise UsageError(f"--window: {exc}") from None
        fields.setdefault("planned_start", now)
        fields["planned_end"] = fields["planned_start"] + length
    kind = fields.pop("change_type", None)
    if kind not in CHANGE_TYPES:
        raise UsageError(f"the change type must be one of {', '.join(CHANGE_TYPES)} "
                         "(--type or change_type in --template)")
    if kind == "standard" and not fields.get("model"):
        raise UsageError("a standard change names its catalogue model (--model)")
    summary = fields.pop("short_description", None)
    if not summary:
        raise UsageError("a change needs a short description (--short-description)")
    if fields.get("risk") is not None and fields["risk"] not in RISK_LEVELS:
        raise UsageError(f"risk must be one of {', '.join(RISK_LEVELS)}")
    return ChangeRequest(args.run_id, kind, summary, fields)


def run_open(args: argparse.Namespace) -> int:
    request = request_from(args, parse_now(args.now))
    adapter = _lifecycle(args)
    try:
        opened = adapter.open_change(request)
    finally:
        adapter.close()
    if args.format == "json":
        print(json.dumps({"id": opened.id, "number": opened.number, "created": opened.created}))
    else:
        print(opened.number)
    return EXIT_OK


def run_record(args: argparse.Namespace) -> int:
    deployment = Deployment(args.phase, parse_now(args.now), args.build_url, args.commit,
                            args.message)
    adapter = _lifecycle(args)
    try:
        number = adapter.record_deployment(args.change_id, deployment)
    finally:
        adapter.close()
    print(f"{number}: deployment {args.phase}")
    return EXIT_OK


def run_close(args: argparse.Namespace) -> int:
    adapter = _lifecycle(args)
    try:
        number = adapter.close_change(args.change_id, args.code, args.notes, parse_now(args.now))
    finally:
        adapter.close()
    print(f"{number}: closed ({args.code})")
    return EXIT_OK
