"""Benchmark: start-up of `csi-rules validate policies` against `python -c "import yaml,
jsonschema"` (issue 14 target: within 2x), in the same run, plus the slowest imports of the
validate run from `python -X importtime` (where the remaining time goes).

Each configuration is a fresh interpreter; runs interleave; medians of wall time. The target
is measured as users run it, with bytecode cached: pip compiles a package's modules when it
installs them, and an editable install writes `__pycache__` on its first run. Children run
without PYTHONDONTWRITEBYTECODE (this sandbox sets it, which made every csi_rules module compile
from source on every run while yaml and jsonschema, installed by pip, had their .pyc: ~0.17 s
of `compile` in a 0.8 s validate) after one untimed warm-up run each; the same commands with
PYTHONDONTWRITEBYTECODE=1 and no cache are printed beside them for comparison. With
`--instructions` (needs valgrind) it also counts the instructions each command executes
(callgrind): the same on every run, so the ratio can be read on a busy machine where wall
times swing 2-3x. Note that `-X importtime` does not see modules imported through
importlib.import_module (a command's module, lazily exported names): their time shows in
the importing module's own line.

    .venv/bin/python -m bench cli-startup [--reps 7] [--instructions]

Figures (2 cores shared with six other busy sessions; ratios in one run). Before the
lazy-loading work (b5d16dc) validate was 6.1-6.4x and `--version` 4.1-4.4x; after it, 2.3-3.0x
and 0.3-0.4x. After the start-up work of 2026-12-04 evening (3bd4ab2 -> 37050aa): instructions
2.40x -> 2.00x (1,204 M -> 1,003 M against 502 M; callgrind, one run each); CPU 2.46x -> 2.07x
in one interleaved run of 15 (old tree on sys.path); wall 1.9x in this bench at load ~4.5.
Target <= 2x: met on wall time and CPU, on the line in instructions. 2026-12-05 01:40 UTC
(load ~1.5), after valid documents stopped importing jsonschema (38fe6ae) and the calendar kinds
imported the calendars on use (fb40b39): instructions 800 M against 502 M = **1.59x**, wall 0.202
against 0.142 s = **1.4x**, `--version` 0.32x. Done the evening of 2026-12-04:
validation reads each policy's record kinds from its spec instead of building every policy
(PolicyKind.applies_to), so the SLA/escalation runtime models and hashlib are not imported;
the adapter checks (csi_rules.capabilities) load only with --adapter/--config; a usual zone
name is found by its one path instead of opening all ~600 zone files (20-40 ms); documents are
first asked "valid?" by a walk of the kind's schema (policy/schema_verdict.py, jsonschema's
own leaf keywords) and jsonschema's validator runs only for the errors (~12 -> ~5 ms); the
engine-limit check compiles a rule list once when it fits; the console script pauses the
collector while the command's modules load and freezes them (~4% of instructions). What
remains: the 70 dataclasses built at import (~3.8 M instructions per frozen one: ~0.4x of the
baseline on their own; 11 in conflicts/settings.py, 13 in engine/, 11 in calendars/, 4 in
notify/rota.py, all needed by the kinds' checks), the ~100 csi_rules modules those checks use,
and the checks themselves (~0.3x: YAML composing with the Python resolver per scalar, the
condition analysis, the engine-limit compile, calendars and rotas parsed in full).
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


def instructions(cmd: list[str]) -> int:
    """Instructions the command executes, counted by valgrind's callgrind (deterministic)."""
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *cmd], capture_output=True, text=True, check=True, env=CACHED)
    line = next(x for x in done.stderr.splitlines() if "Collected" in x)
    return int(line.rsplit(":", 1)[1])


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
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions with valgrind's callgrind (slow: ~30 s)")
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
    if args.instructions:
        counted = {name: instructions(cmd) for name, cmd in CONFIGS.items()}
        base_count = counted["import yaml, jsonschema"]
        print("\ninstructions executed (callgrind, bytecode cached):")
        for name, count in counted.items():
            print(f"  {count:>15,d}  {count / base_count:.2f}x  {name}")
    print("\nslowest top-level imports of a validate run (python -X importtime, cumulative):")
    for us, name in slowest_imports():
        print(f"  {us / 1000:8.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
