"""`python -m bench validation [--sizes KB,KB,...]`: does `validate` grow near-linearly with input?

One file of many small routing policies (about 250 bytes each, each with its own condition and
an assignment, so the action-conflict check has pairs to ask about), at growing sizes. Each
size is timed for yaml.safe_load_all of the same file (the baseline, same run) and for
validate_paths; the ratio validate/baseline should stay roughly flat as the size grows. A
ratio that climbs with size is a super-linear hot spot.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from bench.harness import table
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import validate_paths

POLICY = """\
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {{name: route-{i}}}
spec:
  appliesTo: [incident]
  rules:
    - id: r{i}
      when: {{field: category, eq: cat-{i}}}
      actions:
        - assign: {{group: Group {g}}}
---
"""


def policy_file(folder: Path, kib: int) -> tuple[Path, int]:
    parts, size, i = [], 0, 0
    while size < kib * 1024:
        text = POLICY.format(i=i, g=i % 7)
        parts.append(text)
        size += len(text)
        i += 1
    path = folder / f"policies-{kib}k.yaml"
    path.write_text("".join(parts))
    return path, i


def _timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def run(sizes: list[int]) -> int:
    plugins = load_plugins()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kib in sizes:
            path, count = policy_file(Path(tmp), kib)
            base = _timed(lambda p=path: list(yaml.safe_load_all(p.read_text())))
            full = _timed(lambda p=path: validate_paths([str(p)], plugins))
            rows.append([f"{kib} KiB", str(count), f"{base:.2f}", f"{full:.2f}",
                         f"{full / base:.1f}x"])
            print(table(["size", "policies", "yaml.safe_load s", "validate s", "ratio"], rows),
                  flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="125,250,500,1000",
                        help="file sizes in KiB, comma-separated (the issue: 1000 and 50000)")
    args = parser.parse_args()
    return run([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    raise SystemExit(main())
