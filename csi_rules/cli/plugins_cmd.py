"""`csi-rules plugins`: which plugins are loaded and what each contributed."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from csi_rules.plugins import load_plugins
from csi_rules.registry import Registry


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugins", help="list loaded plugins and what they registered")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    plugins = load_plugins()
    registries: dict[str, Registry[Any]] = {
        "actions": plugins.actions, "kinds": plugins.kinds,
        "adapters": plugins.adapters, "emulators": plugins.emulators,
        "transports": plugins.transports}
    rows = []
    for name, origin in plugins.plugin_names():
        contributed = {what: [n for n in reg if reg.owner(n) == name]
                       for what, reg in registries.items()}
        rows.append({"plugin": name, "from": origin,
                     **{k: v for k, v in contributed.items() if v}})
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    for row in rows:
        print(f"{row['plugin']}  ({row['from']})")
        for what in registries:
            if row.get(what):
                print(f"    {what}: {', '.join(row[what])}")
    return 0
