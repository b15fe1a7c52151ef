"""Find the installed `csi_rules` entry points by reading the distributions' entry_points.txt.

Why not importlib.metadata: importing it (with email, zipfile, csv, ...) and scanning every
distribution's metadata costs about a third of `python -c "import yaml, jsonschema"`, paid by
every command, most of them in a second. Here one directory listing per sys.path entry and one
small file per distribution that has entry points. A sys.path entry that is a zip file (where
directory listings do not apply) makes `find` return None: the caller asks importlib.metadata.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EntryPoint:
    """One `name = module[:attr]` line of a group, and the distribution that declared it."""

    name: str
    value: str
    dist: str
    version: str

    def load(self) -> Any:
        module, _, attr = self.value.partition(":")
        found: Any = importlib.import_module(module.strip())
        for part in filter(None, attr.strip().split(".")):
            found = getattr(found, part)
        return found


def find(group: str, path: Iterable[str] | None = None) -> list[EntryPoint] | None:
    """The entry points of `group`, first on sys.path first; None when some path entry is a file."""
    found: list[EntryPoint] = []
    for entry in (sys.path if path is None else path):
        where = entry or "."
        if os.path.isfile(where):
            return None
        try:
            names = os.listdir(where)
        except OSError:  # missing directories, path-hook names of editable installs
            continue
        for name in sorted(names):
            if name.endswith((".dist-info", ".egg-info")):
                found.extend(_declared(os.path.join(where, name), group))
    return found


def version_of(project: str, path: Iterable[str] | None = None) -> str | None:
    """The installed version of `project` (its first *.dist-info on sys.path), or None; for a
    caller that would otherwise import importlib.metadata for one version string."""
    stem = project.replace("-", "_").lower()
    for entry in (sys.path if path is None else path):
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and name.lower().startswith(stem + "-"):
                version = _name_and_version(os.path.join(entry or ".", name))[1]
                return version or name[len(stem) + 1:-len(".dist-info")]
    return None


def _declared(dist_dir: str, group: str) -> list[EntryPoint]:
    lines = _lines(os.path.join(dist_dir, "entry_points.txt"))
    out, section = [], ""
    for line in lines:
        if line.startswith("["):
            section = line.strip("[]").strip()
        elif section == group and "=" in line:
            name, value = (s.strip() for s in line.split("=", 1))
            out.append((name, value.split("[", 1)[0].strip()))
    if not out:
        return []
    dist, version = _name_and_version(dist_dir)
    return [EntryPoint(name, value, dist, version) for name, value in out]


def _name_and_version(dist_dir: str) -> tuple[str, str]:
    """From METADATA / PKG-INFO headers (the directory name is normalized, e.g. csi_rules_jira)."""
    headers: dict[str, str] = {}
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(dist_dir, file), encoding="utf-8") as handle:
                for line in handle:
                    if ":" not in line:
                        break  # the headers end at the first blank line
                    key, value = line.split(":", 1)
                    headers.setdefault(key.strip().lower(), value.strip())
        except OSError:
            continue
        break
    stem = os.path.basename(dist_dir).rsplit(".", 1)[0]
    return headers.get("name", stem.split("-")[0]), headers.get("version", "")


def _lines(file: str) -> list[str]:
    try:
        with open(file, encoding="utf-8") as handle:
            return [line.strip() for line in handle
                    if not line.lstrip().startswith(("#", ";"))]
    except OSError:
        return []
