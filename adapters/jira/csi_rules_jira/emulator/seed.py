"""Loading the emulator's site description: the packaged default or `<seed_dir>/jira.json`.

Times in a seed may be absolute ISO 8601 or relative to the emulator's start (`-3h`, `+2d2h`,
`-90m`), so a demo's SLAs look live whenever it is started.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

_RELATIVE = re.compile(r"^([+-])((?:\d+[dhm])+)$")
_PART = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def load_seed(seed_dir: Path | None) -> dict[str, Any]:
    """`<seed_dir>/jira.json` when given (an error if missing), else the packaged default."""
    if seed_dir is not None:
        path = Path(seed_dir) / "jira.json"
        if not path.exists():
            raise FileNotFoundError(f"jira emulator seed: {path} does not exist")
        return dict(json.loads(path.read_text(encoding="utf-8")))
    text = resources.files("csi_rules_jira.emulator").joinpath("data/default_seed.json")
    return dict(json.loads(text.read_text(encoding="utf-8")))


def seed_time(value: str, start: datetime) -> datetime:
    """An absolute ISO time, or one relative to `start` such as `-3h` or `+2d2h`."""
    match = _RELATIVE.match(value.strip())
    if match:
        delta = timedelta(**{_UNITS[u]: int(n) for n, u in _PART.findall(match.group(2))})
        return start + delta if match.group(1) == "+" else start - delta
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError(f"seed time {value!r} needs a UTC offset")
    return when
