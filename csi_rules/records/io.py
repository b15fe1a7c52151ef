"""Read records from a JSON file, a JSON array, or JSON lines; every broken record is reported.

Nothing is evaluated until every record has parsed, so a bad line never leaves half the
stream decided. Input is strict UTF-8 and parsed by `csi_rules.safe_json` (bounded depth and
number size); JSON lines are split on "\n" only, so U+2028 inside a string is just text.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from csi_rules import safe_json
from csi_rules.errors import RecordError, UsageError
from csi_rules.records.model import Record, parse_record


def _read_text(source: str) -> str:
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # already text (an embedding caller's StringIO)
            return sys.stdin.read()
        return safe_json.decode_utf8(stream.read(), "<stdin>")
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read records from {source}: {exc.strerror}") from None
    return safe_json.decode_utf8(data, source)


def parse_records_text(text: str, name: str) -> list[Record]:
    """Records from `text`: one object, an array of objects, or one object per line."""
    stripped = text.strip()
    if not stripped:
        raise RecordError(f"{name}: no records (empty input)")
    items: list[tuple[int, Any]] = []
    try:
        whole = safe_json.loads(stripped)
    except safe_json.JsonRefused as exc:  # a definite refusal: name the line it is on
        at_line = exc.lineno + len(text[:len(text) - len(text.lstrip())].split("\n")) - 1
        raise RecordError(f"{name}:{at_line}: {exc.msg} (column {exc.colno})") from None
    except json.JSONDecodeError:
        whole = None
        for lineno, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                items.append((lineno, safe_json.loads(line)))
            except json.JSONDecodeError as exc:
                why = exc.msg if isinstance(exc, safe_json.JsonRefused) else \
                    f"not valid JSON: {exc.msg}"
                raise RecordError(f"{name}:{lineno}: {why} (column {exc.colno})") from None
    else:
        items = list(enumerate(whole, 1)) if isinstance(whole, list) else [(1, whole)]
    problems: list[str] = []
    records: list[Record] = []
    array = isinstance(whole, list)
    for pos, obj in items:
        where = f"{name}: record #{pos}" if array else f"{name}:{pos}"
        try:
            records.append(parse_record(obj, where))
        except RecordError as exc:
            problems.append(str(exc))
    if problems:
        more = f" (and {len(problems) - 1} more broken record(s))" if len(problems) > 1 else ""
        raise RecordError(problems[0] + more)
    return records


def read_records(source: str) -> list[Record]:
    """Records from a file path or '-' for standard input."""
    return parse_records_text(_read_text(source), "<stdin>" if source == "-" else source)
