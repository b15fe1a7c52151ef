"""`csi-rules replay`: run a ticket history through the policies and list what they decided, when.

JSON output: one event per line, in time order across tickets
`{"at", "record", "policy", "metric", "rule", "outcome", "actions", "explanation", "source",
"key"}`, then one `{"summary": {...}}` line. The what-if tool for a policy change
(docs/replay.md); `--disagreements FILE` lists the tickets on which the policies and the
platform's own SLA verdict disagree.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from datetime import datetime

from csi_rules.cli.common import add_policies
from csi_rules.cli.gc_pause import loaded_objects_frozen
from csi_rules.cli.progress import loading_rows, progress
from csi_rules.clock import parse_now
from csi_rules.errors import UsageError
from csi_rules.plugins import load_plugins
from csi_rules.policy.model import PolicySet
from csi_rules.policy.validate import load_policy_set
from csi_rules.replay import history_end, load_history, replay, write_disagreements
from csi_rules.replay.disagreements import check_destination
from csi_rules.replay.event_json import EventLines
from csi_rules.replay.loaded import LoadedHistory


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="replay ticket histories through SLA and escalation "
                                      "policies and list the decisions over time")
    add_policies(p, help="policy file or directory (repeatable)")
    p.add_argument("--history", required=True, metavar="FILE",
                   help="JSON lines of records with `history`, or a snapshot log (CSV, or a "
                        ".zip of one) with --mapping")
    p.add_argument("--mapping", metavar="FILE",
                   help="SnapshotCsvMapping for CSV input (docs/replay.md)")
    p.add_argument("--from", dest="start", metavar="ISO8601",
                   help="list events from this instant on (earlier history still counts)")
    p.add_argument("--to", dest="end", metavar="ISO8601",
                   help="replay up to this instant (default: the last instant in the history)")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="report broken rows and go on, instead of stopping at the first")
    p.add_argument("--disagreements", metavar="FILE",
                   help="write the tickets where the policies' any-SLA verdict and the "
                        "platform's made_sla disagree, one row each (.csv or .json)")
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.set_defaults(run=run)


def _instant(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_now(text)
    except UsageError as exc:
        raise UsageError(str(exc).replace("--now", option)) from None


def run(args: argparse.Namespace) -> int:
    start, end = _instant(args.start, "--from"), _instant(args.end, "--to")
    if args.disagreements:
        check_destination(args.disagreements)
    policy_set = load_policy_set(args.policies, load_plugins())
    if not policy_set.of_kind("SlaPolicy", "EscalationPolicy"):
        raise UsageError(f"no SlaPolicy or EscalationPolicy in {', '.join(args.policies)}")
    with loading_rows(f"reading {args.history}"), loaded_objects_frozen():
        loaded = load_history(args.history, args.mapping,
                              on_error="skip" if args.skip_bad_rows else "fail")
    try:
        return _replay_loaded(args, policy_set, loaded, start, end)
    finally:
        gc.unfreeze()


def _replay_loaded(args: argparse.Namespace, policy_set: PolicySet, loaded: LoadedHistory,
                   start: datetime | None, end: datetime | None) -> int:
    for skipped in loaded.skipped:
        print(f"csi-rules: skipped {skipped.format()}", file=sys.stderr)
    if end is None:
        end = history_end(loaded.records)
        if end is None:
            raise UsageError(f"{args.history}: no instants in the history; give --to")
    if start is not None and start > end:
        raise UsageError(f"--from {start.isoformat()} is after the end of the replay "
                         f"({end.isoformat()})")
    result = replay(policy_set, progress(loaded.records, "replaying", "ticket"), end, start)
    result.summary.rows_read, result.summary.skipped = loaded.rows_read, loaded.skipped
    if args.disagreements:
        write_disagreements(args.disagreements, result.verdicts)
    out = sys.stdout
    if args.format == "json":
        line = EventLines().line  # json.dumps(event.to_json()), its policy and actions once
        for event in result.events:
            out.write(line(event) + "\n")
        out.write(json.dumps({"summary": result.summary.to_json()}) + "\n")
    else:
        for event in result.events:
            out.write(event.format_text() + "\n")
        out.write(result.summary.format_text() + "\n")
    out.flush()
    return 0
