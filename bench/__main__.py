"""`python -m bench [--quick]`: routing benchmark. `python -m bench differential [--records N]`."""

from __future__ import annotations

import argparse
import sys

from bench import differential, routing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("what", nargs="?", choices=["routing", "differential"], default="routing")
    parser.add_argument("--quick", action="store_true", help="20k records, one repetition")
    parser.add_argument("--reps", type=int, help="repetitions per configuration")
    parser.add_argument("--records", type=int, default=1_000_000,
                        help="records for the differential run")
    args = parser.parse_args(argv)
    if args.what == "differential":
        return differential.run(args.records // 10 if args.quick else args.records)
    return routing.run(args.quick, args.reps)


if __name__ == "__main__":
    sys.exit(main())
