"""`csi-rules emulate NAME`: run a platform emulator on loopback so policies can be tried offline."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from csi_rules.errors import UsageError
from csi_rules.plugins import load_plugins


def port_number(text: str) -> int:
    """argparse type for a TCP port: 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside 0-65535")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("emulate", help="run a ServiceNow/Jira emulator on 127.0.0.1")
    p.add_argument("name", help="emulator name (see `csi-rules plugins`)")
    p.add_argument("--port", type=port_number, default=0,
                   help="TCP port (default: any free port)")
    p.add_argument("--seed", metavar="DIR", help="seed records (default: the bundled samples)")
    p.add_argument("--relative-dates", action="store_true",
                   help="move every seeded date-time by one offset so the newest ticket was "
                        "opened or updated an hour ago (spacing between tickets is kept)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    factory = load_plugins().emulators.get(args.name)
    seed = Path(args.seed) if args.seed else None
    if seed is not None and not seed.is_dir():
        raise UsageError(f"--seed: {seed} is not a directory")
    try:
        options = {"shift_to_now": True} if args.relative_dates else {}
        emulator = factory(host="127.0.0.1", port=args.port, seed_dir=seed, **options)
        emulator.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None
    except ValueError as exc:  # emulators report a broken seed as ValueError subclasses
        raise UsageError(f"--seed {seed}: {exc}") from None
    print(f"{args.name} emulator listening on {emulator.url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    finally:
        emulator.stop()
    return 0
