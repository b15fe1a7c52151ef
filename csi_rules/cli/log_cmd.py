"""`csi-rules log verify|show|export --config FILE`: the hash-chained decision and audit log.

`verify` exits 1 naming the first entry that breaks the chain; `show --record ID` explains a
ticket's decisions (ID is the platform id or the number); `export` writes JSON lines.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from csi_rules.audit import verify
from csi_rules.audit.explain import explain_history
from csi_rules.audit.export import export_jsonl
from csi_rules.errors import EXIT_NO_GO, EXIT_OK, UsageError
from csi_rules.runtime import load_config
from csi_rules.runtime.postgres_config import open_existing_store
from csi_rules.runtime.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("log", help="verify, show or export the decision and audit log")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    v = verbs.add_parser("verify", help="check the hash chain (exit 1 at the first bad entry)")
    s = verbs.add_parser("show", help="a record's decision history, explained")
    s.add_argument("--record", required=True, metavar="ID", help="platform id or number")
    s.add_argument("--format", choices=("text", "json"), default="text")
    e = verbs.add_parser("export", help="every entry as JSON lines, with its hashes")
    e.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    e.add_argument("--after", type=int, default=0, metavar="SEQ", help="entries after SEQ")
    for sp in (v, s, e):
        sp.add_argument("--config", required=True, metavar="FILE")
    p.set_defaults(run=run)


def _show(store: Store, record: str, fmt: str) -> int:
    entries = [r.entry for r in store.audit(record_id=record)]
    if not entries:  # a number (INC0010001, ITSM-42) rather than the platform id
        entries = [r.entry for r in store.audit()
                   if r.entry.get("record", {}).get("label") == record]
    if fmt == "json":
        for entry in entries:
            print(json.dumps(entry, sort_keys=True))
    else:
        print(explain_history(record, entries))
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = open_existing_store(config)  # SQLite file or PostgreSQL (state.store)
    try:
        if args.verb == "verify":
            result = verify(store.audit())
            if not result.ok:
                print(f"csi-rules: audit log broken at entry {result.bad_seq}: {result.reason} "
                      f"({result.entries} entries before it verify)", file=sys.stderr)
                return EXIT_NO_GO
            print(f"ok: {result.entries} entries, chain intact, head {result.head}")
            return EXIT_OK
        if args.verb == "show":
            return _show(store, args.record, args.format)
        if args.output:
            try:
                with Path(args.output).open("w", encoding="utf-8") as out:
                    count = export_jsonl(store.audit(after_seq=args.after), out)
            except OSError as exc:
                raise UsageError(f"--output: {exc}") from None
            print(f"exported {count} entries to {args.output}", file=sys.stderr)
        else:
            export_jsonl(store.audit(after_seq=args.after), sys.stdout)
        return EXIT_OK
    finally:
        store.close()
