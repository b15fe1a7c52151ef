"""Open an input file as text, reading straight out of a .zip when given one (no extraction).

Lines are split on "\n" only (never on U+2028 or other Unicode line breaks) and decoded one at
a time, strictly, so a bad byte is reported as `file:line: not valid utf-8 ...` instead of a
UnicodeDecodeError from somewhere inside an 8 KB chunk.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TextIO

from csi_rules.errors import UsageError
from csi_rules.safe_json import UndecodableText


class StrictLines:
    """An iterator of text lines (endings kept) over a binary stream; `read()` for the rest."""

    def __init__(self, raw: IO[bytes], encoding: str, name: str):
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)("strict")
        self._encoding = encoding
        self._name = name
        self.line = 0

    def __iter__(self) -> StrictLines:
        return self

    def __next__(self) -> str:
        data = self._raw.readline()
        if not data:
            raise StopIteration
        self.line += 1
        try:
            return self._decoder.decode(data)
        except UnicodeDecodeError as exc:
            raise UndecodableText(f"{self._name}:{self.line}: not valid {self._encoding}: "
                                  f"byte 0x{data[exc.start]:02x} at column {exc.start + 1}"
                                  ) from None

    def read(self) -> str:
        return "".join(self)


def _line_safe(encoding: str) -> bool:
    """True when "\n" is one b"\n" byte in `encoding` (UTF-8, Latin-1, cp1252; not UTF-16)."""
    try:
        return "x\n".encode(encoding).endswith(b"x\n")
    except LookupError:
        raise UsageError(f"unknown text encoding {encoding!r}") from None


def _text(raw: IO[bytes], encoding: str, name: str) -> TextIO:
    if _line_safe(encoding):
        return StrictLines(raw, encoding, name)  # type: ignore[return-value]  # iter + read
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


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
        with path.open("rb") as raw:
            yield _text(raw, encoding, str(path)), str(path)
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
            name = f"{path}!{member}"
            yield _text(raw, encoding, name), name
