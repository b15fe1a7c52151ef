"""Benchmark: start-up of `csi-rules validate policies` against `python -c "import yaml,
jsonschema"` (issue 14 target: within 2x), in the same run, plus the slowest imports of the
validate run from `python -X importtime` (where the remaining time goes).

Each configuration is a fresh interpreter; runs interleave; medians of wall time. The target
is measured as users run it, with bytecode cached: pip compiles a package's modules when it
installs them, and an editable install writes `__pycache__` on its first run. Children run
without PYTHONDONTWRITEBYTECODE (this sandbox sets it, which made every csi_rules module compile
from source on every run while yaml and jsonschema, installed by pip, had their .pyc: ~0.17 s
of `compile` in a 0.8 s validate) after one untimed warm-up run each; the same commands with
PYTHONDONTWRITEBYTECODE=1 and no cache are printed beside them for comparison.

    .venv/bin/python -m bench cli-startup [--reps 7]

Figures (2 cores shared with six other busy sessions, so absolute times swing 2-3x between runs;
ratios in one run): before the lazy-loading work (b5d16dc) validate was 6.1-6.4x and
`--version` 4.1-4.4x; after it, validate 2.3-3.0x (2.7x in one interleaved before/after run:
4.71 s -> 2.07 s against 0.77 s) and `--version` 0.3-0.4x. Target <= 2x: not met. Done:
plugins register names and import adapters, emulators and transports on first use
(Registry.add_lazy, factories that import inside the call); entry points are read from the
dist-info files (no importlib.metadata); a holidays country table replaces importing all ~250
country modules; LibYAML composes policy files; csi_rules.conditions / csi_rules.conflicts
export names on first use; record validators compile on first use; `--version` builds no
parser. What remains is mostly real work and the modules it needs (~100 csi_rules modules,
kinds, checks, calendars), jsonschema's $ref resolution while validating documents, and the
engine package: the durable-limit check at validation imports csi_rules.engine, whose
__init__ imports the durable matcher, its worker (multiprocessing) and the reference matcher.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import median, table

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {
    "import yaml, jsonschema": [sys.executable, "-c", "import yaml, jsonschema"],
    "csi-rules --version": [str(Path(sys.executable).with_name("csi-rules")), "--version"],
    "csi-rules validate policies": [str(Path(sys.executable).with_name("csi-rules")),
                                    "validate", str(ROOT / "policies")],
}


CACHED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
UNCACHED = {**CACHED, "PYTHONDONTWRITEBYTECODE": "1"}


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   env=env)
    return time.perf_counter() - started


def slowest_imports(count: int = 12) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the top-level imports of a validate run."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "import sys; from csi_rules.cli import main; "
                           f"main(['validate', {str(ROOT / 'policies')!r}])"],
                          capture_output=True, text=True, check=False, env=CACHED)
    found = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):  # top level only
            found.append((int(cumulative), name.strip()))
    return sorted(found, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cli-startup")
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    for cmd in CONFIGS.values():
        _wall(cmd, CACHED)  # warm-up: writes the bytecode cache a pip install would have
    times: dict[str, list[float]] = {name: [] for name in CONFIGS}
    cold: dict[str, list[float]] = {name: [] for name in CONFIGS}
    for _ in range(args.reps):
        for name, cmd in CONFIGS.items():
            times[name].append(_wall(cmd, CACHED))
            cold[name].append(_wall(cmd, UNCACHED))
    base, cold_base = median(times["import yaml, jsonschema"]), median(cold["import yaml, jsonschema"])
    print(table(["command", "median s", "/ import yaml, jsonschema", "no bytecode s", "ratio"],
                [[n, f"{median(t):.3f}", f"{median(t) / base:.1f}x",
                  f"{median(cold[n]):.3f}", f"{median(cold[n]) / cold_base:.1f}x"]
                 for n, t in times.items()]))
    ratio = median(times["csi-rules validate policies"]) / base
    print(f"validate / import yaml, jsonschema = {ratio:.1f}x with bytecode cached (target <= 2x: "
          f"{'met' if ratio <= 2 else 'NOT met'})")
    print("\nslowest top-level imports of a validate run (python -X importtime, cumulative):")
    for us, name in slowest_imports():
        print(f"  {us / 1000:8.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
