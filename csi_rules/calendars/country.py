"""Public holidays by country and subdivision, from the `holidays` package (imported lazily).

Kept behind a few functions so the rest of the package never imports `holidays` directly and a
missing install turns into one clear CalendarError instead of an ImportError at import time.
Checking names reads the shipped table (country_table.py) when it matches the installed release:
the package itself is imported only to compute holidays.
"""

from __future__ import annotations

import difflib
import importlib.util
from datetime import date
from functools import lru_cache
from types import ModuleType

from csi_rules.calendars.country_table import shipped_table
from csi_rules.calendars.issues import CalendarError


def _holidays() -> ModuleType:
    try:
        import holidays
    except ImportError:
        raise CalendarError(
            "holidays by country need the 'holidays' package, which is not installed "
            "(pip install holidays)"
        ) from None
    return holidays


def _available() -> None:
    """Raise the clear CalendarError when the holidays package cannot be imported."""
    if importlib.util.find_spec("holidays") is None:
        _holidays()  # raises


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """The country codes (and aliases such as NLD) the installed `holidays` release knows."""
    _available()
    table = shipped_table()
    if table is not None:
        return frozenset(table["countries"]) | frozenset(table["aliases"])
    from holidays.registry import EntityLoader

    _holidays()
    return frozenset(EntityLoader.get_country_codes(include_aliases=True))


def _entry(country: str) -> tuple[tuple[str, ...], dict[str, str]] | None:
    table = shipped_table()
    if table is None:
        return None
    subdivs, aliases = table["countries"][table["aliases"].get(country, country)]
    return tuple(subdivs), dict(aliases)


@lru_cache(maxsize=64)
def subdivisions(country: str) -> tuple[str, ...]:
    """Subdivision codes of one known country."""
    entry = _entry(country)
    return entry[0] if entry else tuple(getattr(_holidays(), country).subdivisions)


@lru_cache(maxsize=64)
def subdivision_aliases(country: str) -> dict[str, str]:
    """Subdivision name -> code ('California' -> 'CA'); the package accepts either."""
    entry = _entry(country)
    if entry:
        return entry[1]
    aliases = getattr(_holidays().country_holidays(country), "subdivisions_aliases", {})
    return dict(aliases)


def check_country(country: str, subdivision: str | None) -> list[tuple[str, str]]:
    """("country" | "subdivision", message) for each name the holidays package does not know."""
    known = country_codes()
    if country not in known:
        near = difflib.get_close_matches(country.upper(), sorted(known), n=1, cutoff=0.5)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        return [("country", f"unknown country {country!r} for holidays{hint} "
                            "(ISO 3166-1 codes such as 'NL', 'US', 'DE')")]
    codes = subdivisions(country)
    if subdivision is None or subdivision in codes:
        return []
    aliases = subdivision_aliases(country)
    if subdivision in aliases:
        return []
    by_lower = {**{c.lower(): c for c in codes}, **{a.lower(): c for a, c in aliases.items()}}
    near = difflib.get_close_matches(subdivision.lower(), list(by_lower), n=1, cutoff=0.6)
    hint = f"; did you mean {by_lower[near[0]]!r}?" if near else ""
    valid = ", ".join(sorted(codes)) or "none"
    return [("subdivision",
             f"unknown subdivision {subdivision!r} of {country}{hint} (valid: {valid})")]


@lru_cache(maxsize=256)
def country_holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    """Holiday date -> name for one year (observed days included, as the package defaults)."""
    table = _holidays().country_holidays(country, subdiv=subdivision, years=year)
    return {day: name for day, name in table.items() if day.year == year}
