"""`csi-rules schema [--output DIR]`: the published JSON Schemas (policy kinds and records)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from csi_rules.plugins import Plugins, load_plugins
from csi_rules.policy.schema import combined_schema
from csi_rules.policy.validate import kind_schema
from csi_rules.records.schema import record_schema


def all_schemas(plugins: Plugins) -> dict[str, dict[str, Any]]:
    """File name → schema, for every kind plus the combined policy and record schemas."""
    per_kind = {k: kind_schema(k, plugins) for k in plugins.kinds}
    out = {f"{k.lower()}.schema.json": s for k, s in per_kind.items()}
    out["policy.schema.json"] = combined_schema(per_kind)
    out["record.schema.json"] = record_schema()
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print or write the JSON Schemas of policies and records")
    p.add_argument("--output", metavar="DIR", help="write one file per schema into DIR")
    p.add_argument("--builtin-only", action="store_true",
                   help="ignore installed plugins (how the committed schemas/ are generated)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    schemas = all_schemas(load_plugins(entry_points=not args.builtin_only))
    if not args.output:
        sys.stdout.write(render(schemas["policy.schema.json"]))
        return 0
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (out / name).write_text(render(schema), encoding="utf-8")
        print(out / name)
    return 0
