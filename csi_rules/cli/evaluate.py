"""`csi-rules evaluate`: records in, decisions with reasons out (JSON lines or text).

Records come from JSON (a record, an array, JSON lines, or '-') or from a CSV export (or a .zip
of one) read through a column mapping (`--mapping`, cli/evaluate_input.py).

JSON output: one object per record and line:
`{"record": {"id", "label", "kind"}, "now": ISO, "decisions": [Decision.to_json(), ...]}`.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from csi_rules.cli.common import add_engine, add_now, add_policies
from csi_rules.cli.gc_pause import loaded_objects_frozen

if TYPE_CHECKING:
    from csi_rules.decisions import Decision
    from csi_rules.records import Record

LARGE_INPUT = 1000
"""From this many records on, evaluation shows progress (on a terminal only)."""
WRITE_BATCH = 256
"""JSON lines written to standard output at a time."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="evaluate records against policies and explain decisions")
    add_policies(p, help="policy file or directory (repeatable)")
    p.add_argument("--record", required=True, metavar="FILE",
                   help="JSON record, JSON array or JSON lines ('-' reads standard input), or "
                        "CSV (or a .zip of one) with --mapping")
    p.add_argument("--mapping", metavar="FILE",
                   help="column mapping for CSV input: a SnapshotCsvMapping (one record per "
                        "ticket, with history) or a ChangeCsvMapping (policies/mappings/)")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="CSV: report broken rows and go on, instead of stopping at the first")
    add_now(p)
    add_engine(p)
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from csi_rules.cli.evaluate_input import read_input
    from csi_rules.cli.progress import loading_rows, progress
    from csi_rules.clock import parse_now
    from csi_rules.evaluation import Evaluator
    from csi_rules.plugins import load_plugins
    from csi_rules.policy.validate import load_policy_set

    now = parse_now(args.now)
    policy_set = load_policy_set(args.policies, load_plugins())
    if not policy_set.policies:
        print(f"csi-rules: warning: no policies in {', '.join(args.policies)}: "
              "no record will get a decision", file=sys.stderr)
    with loading_rows(f"reading {args.record}"), loaded_objects_frozen():
        loaded = read_input(args.record, args.mapping,
                            "skip" if args.skip_bad_rows else "fail")
    for skipped in loaded.skipped:
        print(f"csi-rules: skipped {skipped.format()}", file=sys.stderr)
    records = loaded.records
    shown = progress(records, "evaluating") if len(records) >= LARGE_INPUT else records
    out = sys.stdout
    try:
        with Evaluator(policy_set, engine=args.engine) as evaluator:
            pairs = zip(shown, evaluator.evaluate_many(records, now), strict=True)
            if args.format == "json":
                _write_json(out, pairs, now)
            else:
                _write_text(out, pairs, now)
            out.flush()
    finally:
        gc.unfreeze()
    return 0


def _write_json(out: TextIO, pairs: Iterable[tuple[Record, list[Decision]]],
                now: datetime) -> None:
    """One JSON line per record: json.dumps' output from one encoder (no cycle check:
    decisions are trees; what repeats encoded once, cli/evaluate_json.py), written in batches
    (and what is done when an error stops it)."""
    from json.encoder import encode_basestring_ascii as string

    from csi_rules.cli.evaluate_json import DecisionText

    encode = json.JSONEncoder(check_circular=False).encode
    text = DecisionText(encode)
    stamp = encode(now.isoformat())
    lines: list[str] = []
    try:
        for record, decisions in pairs:  # a record's id, label and kind are text
            lines.append(f'{{"record": {{"id": {string(record.id)}, "label": '
                         f'{string(record.label)}, "kind": {string(record.kind)}}}, "now": '
                         f'{stamp}, "decisions": [{", ".join([text(d) for d in decisions])}]}}')
            if len(lines) >= WRITE_BATCH:
                out.write("\n".join(lines) + "\n")
                lines.clear()
    finally:
        if lines:
            out.write("\n".join(lines) + "\n")


def _write_text(out: TextIO, pairs: Iterable[tuple[Record, list[Decision]]],
                now: datetime) -> None:
    for record, decisions in pairs:
        out.write(f"{record.label} ({record.kind}) at {now.isoformat()}:\n")
        for d in decisions:
            out.write("  " + d.format_text().replace("\n", "\n  ") + "\n")
        if not decisions:
            out.write("  no policy applies\n")
