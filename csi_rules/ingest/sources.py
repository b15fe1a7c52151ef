"""Open an input file as text, reading straight out of a .zip when given one (no extraction)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from csi_rules.errors import UsageError


@contextmanager
def open_text(path: str | Path, encoding: str = "utf-8",
              member: str | None = None) -> Iterator[tuple[TextIO, str]]:
    """Yield (text stream, name for messages). In a .zip, read `member` or the only file in it.

    Names in messages are `archive.zip!member` so a line number points at the right file.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if path.suffix.lower() != ".zip":
        with path.open(encoding=encoding, newline="") as stream:
            yield stream, str(path)
        return
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if member is None:
            if len(names) != 1:
                raise UsageError(f"{path}: holds {len(names)} files; name the one to read "
                                 f"(csv.archiveMember in the mapping)")
            member = names[0]
        elif member not in names:
            raise UsageError(f"{path}: has no member {member!r} (it has: {', '.join(names)})")
        with archive.open(member) as raw:
            stream = io.TextIOWrapper(raw, encoding=encoding, newline="")
            yield stream, f"{path}!{member}"
