"""The country codes and subdivisions of the `holidays` package, as a table shipped with
csi-rules, so that validating `holidays: [{country: NL}]` does not import the package.

Why: asking `holidays` for one country imports all ~250 country modules (half a second), more
than the rest of `csi-rules validate` together. The table is used only when it was generated
from the installed release (else the package is asked); tests/calendars checks it is current.

    python -m csi_rules.calendars.country_table   # regenerate after upgrading holidays
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

FILE = "holiday_countries.json"


@lru_cache(maxsize=1)
def shipped_table() -> dict[str, Any] | None:
    """The shipped table when it matches the installed holidays release, else None."""
    from csi_rules.entry_points import version_of  # not importlib.metadata: start-up time

    installed = version_of("holidays")
    if installed is None:
        return None
    try:
        data: dict[str, Any] = json.loads(
            resources.files(__package__ or "csi_rules.calendars").joinpath(FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("version") == installed else None


def build_table() -> dict[str, Any]:
    """The table, from the installed holidays package (imports every country module)."""
    import holidays
    from holidays.registry import EntityLoader

    countries: dict[str, Any] = {}
    aliases: dict[str, str] = {}
    by_class: dict[type, str] = {}
    for code in EntityLoader.get_country_codes(include_aliases=True):
        cls = getattr(holidays, code)
        if cls in by_class:
            aliases[code] = by_class[cls]
            continue
        by_class[cls] = code
        countries[code] = [list(cls.subdivisions),
                           dict(getattr(cls, "subdivisions_aliases", {}))]
    return {"version": holidays.__version__, "countries": countries, "aliases": aliases}


def write_table(path: Path) -> None:
    path.write_text(json.dumps(build_table(), sort_keys=True, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_table(Path(__file__).with_name(FILE))
