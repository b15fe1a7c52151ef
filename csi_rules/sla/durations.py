"""Durations as policy authors write them: `15m`, `4h`, `1h30m`, `2d`, or a number of seconds."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_WHOLE = re.compile(r"^(?:\d+(?:\.\d+)?[dhms])+$")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}

DURATION_SCHEMA = {
    "type": ["string", "number"],
    "description": "a duration: '15m', '4h', '1h30m', '2d' (d = 24 hours of the calendar's "
                   "business time) or a number of seconds",
}


def parse_duration(value: str | float) -> float:
    """Seconds in `value`; raises ValueError with the accepted forms."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"duration {value} is negative")
        return float(value)
    text = value.strip().replace(" ", "")
    if not _WHOLE.match(text):
        raise ValueError(f"{value!r} is not a duration; write e.g. '15m', '4h', '1h30m', '2d'")
    return float(sum(float(n) * _UNIT[u] for n, u in _PART.findall(text)))


TEXTS_KEPT = 1 << 16
_texts: dict[int, str] = {}


def format_duration(seconds: float) -> str:
    """`1h30m` style, for explanations; hours are the largest unit (business days vary).
    Texts kept per whole second: a replay words the same targets and minute-rounded
    durations tens of thousands of times."""
    whole = round(seconds)
    found = _texts.get(whole)
    if found is None:
        found = _format_whole(whole)
        if len(_texts) < TEXTS_KEPT:
            _texts[whole] = found
    return found


def _format_whole(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    parts = []
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return sign + ("".join(parts) or "0s")
