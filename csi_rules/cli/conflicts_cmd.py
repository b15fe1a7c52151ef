"""`csi-rules conflicts`: resource conflicts in a change schedule, as a table or JSON.

Exit code 1 when any blocking conflict is found (so a pipeline can stop on it), 0 otherwise.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from csi_rules.cli.common import add_policies
from csi_rules.cli.fast_exit import exit_now
from csi_rules.cli.gc_pause import loaded_objects_frozen
from csi_rules.cli.progress import loading_rows
from csi_rules.conflicts import format_table, load_changes, load_cmdb, run_conflicts
from csi_rules.conflicts.json_text import report_json_chunks
from csi_rules.errors import EXIT_NO_GO, EXIT_OK, UsageError
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import load_policy_set

if TYPE_CHECKING:
    from csi_rules.conflicts.loading.result import LoadResult
    from csi_rules.policy.model import Policy


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("conflicts", help="find resource conflicts in a change schedule")
    add_policies(p)
    p.add_argument("--changes", required=True, metavar="FILE",
                   help="change records: JSON lines, or CSV (or a .zip of one) with --mapping")
    p.add_argument("--mapping", metavar="FILE", help="column mapping for CSV input "
                   "(docs/conflicts-mapping.md)")
    p.add_argument("--cmdb", metavar="FILE", help="CMDB relationships for related-CI checks")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="report broken rows and go on, instead of stopping at the first")
    p.add_argument("--time-zone", default="UTC", help="zone for times in the output")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    policy_set = load_policy_set(args.policies, load_plugins())
    policies = policy_set.of_kind("ConflictPolicy")
    if not policies:
        raise UsageError(f"no ConflictPolicy in {', '.join(args.policies)}")
    with loading_rows(f"reading {args.changes}"), loaded_objects_frozen():
        loaded = load_changes(args.changes, args.mapping,
                              on_error="skip" if args.skip_bad_rows else "fail")
    try:
        code = _report(args, policies, loaded)
    finally:
        gc.unfreeze()
    if getattr(args, "owns_process", False):  # the console script's run: done, so leave
        exit_now(code)  # without freeing the schedule and reports (returns if it cannot)
    return code


def _report(args: argparse.Namespace, policies: Sequence[Policy],
            loaded: LoadResult) -> int:
    """Search and print each policy's report, with the cycle collector paused: a report on
    a big schedule is ~10^5 small acyclic objects, and every collection of them would walk
    the loaded schedule again (half the output time on the Rabobank table)."""
    graph = load_cmdb(args.cmdb) if args.cmdb else None
    blocking = False
    enabled = gc.isenabled()
    gc.disable()
    try:
        for policy in policies:
            report = run_conflicts(loaded.changes, policy.compiled, graph)
            blocking |= any(c.severity == "blocking" for c in report.conflicts)
            if args.format == "json":
                sys.stdout.writelines(report_json_chunks(report, args.time_zone,
                                                         loaded.skipped, loaded.rows_merged))
                sys.stdout.write("\n")
            else:
                print(f"== {policy.name} ({policy.source}): {len(loaded.changes)} changes")
                print(format_table(report, args.time_zone, loaded.skipped, loaded.rows_merged))
    finally:
        if enabled:
            gc.enable()
    return EXIT_NO_GO if blocking else EXIT_OK
