"""Run the emulator on its own: `python -m csi_rules_jira.emulator --port 8080 [--seed DIR]`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from pathlib import Path

from csi_rules_jira.emulator.change_project import with_change_project
from csi_rules_jira.emulator.seed import load_seed
from csi_rules_jira.emulator.server import JiraEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m csi_rules_jira.emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--seed", type=Path, help="folder holding jira.json")
    parser.add_argument("--deployment", choices=["Cloud", "Server"])
    parser.add_argument("--rate-limit", type=float, help="requests per second per user")
    parser.add_argument("--change-project", action="store_true", help="add JSM change project "
                        "CHG (csi-rules change open/record/close, deployments, gating)")
    args = parser.parse_args(argv)
    seed = with_change_project(load_seed(args.seed)) if args.change_project else None
    emulator = JiraEmulator(args.host, args.port, args.seed, seed=seed,
                            deployment=args.deployment, rate_limit_per_second=args.rate_limit)
    emulator.start()
    print(f"jira emulator on {emulator.url} ({emulator.site.deployment}); Ctrl-C stops it",
          flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
