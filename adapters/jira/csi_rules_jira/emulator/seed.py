"""Loading the emulator's site description: the packaged default or `<seed_dir>/jira.json`.

Times in a seed may be absolute ISO 8601 or relative to the emulator's start (`-3h`, `+2d2h`,
`-90m`), so a demo's SLAs look live whenever it is started. `shift_to_now` does the same for a
seed written with absolute times (say, exported from a real site): every absolute time moves by
one offset so the newest issue was created or updated an hour before the start.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
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


ANCHOR_KEYS = ("created", "updated")   # the issue's own times; history `at` counts too


def _absolute(value: Any) -> datetime | None:
    if not isinstance(value, str) or _RELATIVE.match(value.strip()):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _time_slots(seed: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, bool]]:
    """(holder, key, is_anchor) for every time an issue carries: created, updated,
    resolutiondate, history and changelog `at`/`created`, approval `at`, date-time fields."""
    dated = {f["id"] for f in seed.get("fields", ())
             if (f.get("schema") or {}).get("type") in ("datetime", "date")}
    for issue in seed.get("issues", ()):
        for key in ("created", "updated", "resolutiondate"):
            yield issue, key, key in ANCHOR_KEYS
        for step in [*issue.get("history", ()), *issue.get("changelog", ())]:
            yield step, "at", True
            yield step, "created", True
        for approval in issue.get("approvals", ()):
            yield approval, "at", False
        for comment in issue.get("comments", ()):
            yield comment, "created", False
        custom = issue.get("custom", {})
        for key in sorted(dated & set(custom)):
            yield custom, key, False


def shift_to_now(seed: dict[str, Any], start: datetime,
                 lead: timedelta = timedelta(hours=1)) -> dict[str, Any]:
    """A copy of `seed` whose absolute times moved by one whole-second offset, so that the
    newest created/updated/history time is `lead` before `start`; relative times stay as
    they are (they already follow the start)."""
    shifted = copy.deepcopy(seed)
    slots = [(holder, key, anchor) for holder, key, anchor in _time_slots(shifted)
             if key in holder]
    anchors = [when for holder, key, anchor in slots
               if anchor and (when := _absolute(holder[key])) is not None]
    if not anchors:
        return shifted
    offset = timedelta(seconds=int((start - lead - max(anchors)).total_seconds()))
    for holder, key, _ in slots:
        when = _absolute(holder[key])
        if when is not None:
            holder[key] = (when + offset).isoformat()
    return shifted
