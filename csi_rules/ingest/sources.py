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
from typing import IO, Any, TextIO

from csi_rules.errors import UsageError
from csi_rules.safe_json import UndecodableText

CHUNK = 1 << 16
"""Bytes read and decoded at a time (cut back to the last line end)."""


class StrictLines:
    """An iterator of text lines (endings kept) over a binary stream; `read()` for the rest.

    Whole chunks of lines are decoded at once; a chunk that does not decode is taken line by
    line, so the lines before the bad byte are still given out first and the error names the
    line and column exactly as decoding each line would.
    """

    def __init__(self, raw: IO[bytes], encoding: str, name: str):
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)("strict")
        self._encoding = encoding
        self._name = name
        self.line = 0
        self._lines: list[str] = []
        self._undecoded: list[bytes] = []  # the lines of a chunk that did not decode
        self._next = 0
        self._rest = b""

    def __iter__(self) -> StrictLines:
        return self

    def __next__(self) -> str:
        if self._next >= len(self._lines) and self._next >= len(self._undecoded):
            self._fill()
        i = self._next
        self._next += 1
        self.line += 1
        if self._undecoded:
            return self._decode_line(self._undecoded[i])
        return self._lines[i]

    def _fill(self) -> None:
        """The next chunk of whole lines (the last line may lack its end at end of file)."""
        self._lines, self._undecoded, self._next = [], [], 0
        data = self._rest + self._raw.read(CHUNK)
        cut = data.rfind(b"\n") + 1
        while cut == 0 and data:  # a line longer than a chunk
            more = self._raw.read(CHUNK)
            if not more:
                cut = len(data)
                break
            data += more
            cut = data.rfind(b"\n") + 1
        if not data:
            raise StopIteration
        data, self._rest = data[:cut], data[cut:]
        try:
            text = self._decoder.decode(data)
        except UnicodeDecodeError:
            self._decoder.reset()  # a chunk starts at a line start: nothing carried over
            self._undecoded = _split(data, b"\n")
            return
        self._lines = _split(text, "\n")
        if not data.endswith(b"\n") and text[-1:] in ("", "\n"):
            self._lines.append("")  # a last line whose bytes decode to nothing (yet)

    def _decode_line(self, data: bytes) -> str:
        try:
            return self._decoder.decode(data)
        except UnicodeDecodeError as exc:
            raise UndecodableText(f"{self._name}:{self.line}: not valid {self._encoding}: "
                                  f"byte 0x{data[exc.start]:02x} at column {exc.start + 1}"
                                  ) from None

    def read(self) -> str:
        return "".join(self)


def _split(data: Any, end: Any) -> list[Any]:
    """`data` cut after every `end` (kept), the last line without one included."""
    parts = data.split(end)
    last = parts.pop()
    lines = [part + end for part in parts]
    if last:
        lines.append(last)
    return lines


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
