"""durable-rules is imported in exactly one module, and importing the engine does not load it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT = re.compile(r"^\s*(import|from)\s+(durable|durable_rules_engine)\b", re.MULTILINE)


def test_only_durable_host_imports_durable_rules() -> None:
    importers = sorted(
        str(path.relative_to(ROOT))
        for folder in ("csi_rules", "adapters", "bench")
        if (ROOT / folder).exists()
        for path in (ROOT / folder).rglob("*.py")
        if IMPORT.search(path.read_text(encoding="utf-8"))
    )
    assert importers == ["csi_rules/engine/durable_host.py"]


def test_importing_the_engine_package_does_not_load_durable() -> None:
    code = "import sys, csi_rules.engine; print(any('durable' in m for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
