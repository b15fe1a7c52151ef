"""`python -m csi_rules_servicenow.emulator --port N --seed DIR`: the emulator on its own.

`csi-rules emulate servicenow` does the same through the plugin host; this entry point is for
running the emulator without the core CLI (e.g. next to a real csi-rules install elsewhere).
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from csi_rules_servicenow.emulator.server import ServiceNowEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csi-rules-servicenow-emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument("--seed", type=Path, help="seed directory (default: bundled samples)")
    args = parser.parse_args(argv)
    if args.seed is not None and not args.seed.is_dir():
        parser.error(f"--seed: {args.seed} is not a directory")
    emulator = ServiceNowEmulator(port=args.port, seed_dir=args.seed)
    emulator.start()
    print(f"servicenow emulator listening on {emulator.url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
