"""`csi-rules test DIR`: run policy unit tests; exit 1 when any fails, 2 when a file is invalid."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from csi_rules.cli.common import add_engine
from csi_rules.errors import EXIT_INVALID, EXIT_NO_GO, EXIT_OK, CsiRulesError, PolicyError, UsageError
from csi_rules.plugins import load_plugins
from csi_rules.testing.runner import relative, run_file
from csi_rules.testing.spec import allowed_root, find_test_files, load_test_file


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test", help="run policy unit tests (YAML: given records, expect decisions)")
    p.add_argument("paths", nargs="+", metavar="DIR", help="test files or directories holding them")
    p.add_argument("-v", "--verbose", action="store_true", help="list passing tests too")
    add_engine(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    # each file's `policies:` must stay inside the directory the user named
    files = [(f, allowed_root(Path(p))) for p in args.paths for f in find_test_files(Path(p))]
    if not files:
        raise UsageError(f"no policy test files found under {', '.join(args.paths)}")
    plugins = load_plugins()
    passed = failed = broken = 0
    for path, root in files:
        try:  # a broken file (or the policies it names) is reported; the others still run
            results = run_file(load_test_file(path, root), plugins, engine=args.engine)
        except CsiRulesError as exc:
            broken += 1
            _report_broken(exc)
            continue
        for result in results:
            where = f"{relative(result.test.file)}:{result.test.line}"
            if result.passed:
                passed += 1
                if args.verbose:
                    print(f"PASS {where}: {result.test.name}")
            else:
                failed += 1
                print(f"FAIL {where}: {result.test.name}\n{result.diff}")
    summary = f"{passed} passed, {failed} failed"
    if broken:
        summary += f", {broken} broken file(s) not run"
    print(f"{summary} in {len(files)} file(s)")
    if broken:
        return EXIT_INVALID
    return EXIT_NO_GO if failed else EXIT_OK


def _report_broken(exc: CsiRulesError) -> None:
    """Each finding on its own line, as `csi-rules validate` prints them."""
    if isinstance(exc, PolicyError):
        for finding in exc.findings:
            print(finding.format(), file=sys.stderr)
    else:
        print(f"csi-rules: error: {exc}", file=sys.stderr)
