"""Input text is decoded a chunk at a time but reads exactly as decoding each line on its own:
the same lines (split on \\n only, endings kept), and for a bad byte the lines before it first,
then `file:line: not valid ...: byte 0x.. at column N` naming that line and column."""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.errors import CsiRulesError
from csi_rules.ingest import sources
from csi_rules.ingest.sources import StrictLines

PIECES = [b"a", b"\n", b"\r", b"\r\n", b"\xc3\xa9", b"\xff", b"\xe2\x82", b"\xe2\x82\xac", b",",
          "\u2028".encode(), b"\x85"]


def _line_by_line(data: bytes, encoding: str) -> list[object]:
    """The reference: one readline and one decode per line."""
    raw, decoder, out, line = io.BytesIO(data), codecs.getincrementaldecoder(encoding)(), [], 0
    while chunk := raw.readline():
        line += 1
        try:
            out.append(decoder.decode(chunk))
        except UnicodeDecodeError as exc:
            out.append(f"f:{line}: not valid {encoding}: byte 0x{chunk[exc.start]:02x} at "
                       f"column {exc.start + 1}")
            break
    return out


def _read(data: bytes, encoding: str) -> list[object]:
    out: list[object] = []
    try:
        out.extend(StrictLines(io.BytesIO(data), encoding, "f"))
    except CsiRulesError as exc:
        out.append(str(exc))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.sampled_from([1, 3, 8, 1 << 16]),
       st.sampled_from(["utf-8", "latin-1", "utf-8-sig"]))
def test_chunks_read_as_lines_decoded_one_by_one(pieces, chunk, encoding) -> None:
    data = b"".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources, "CHUNK", chunk)
        assert _read(data, encoding) == _line_by_line(data, encoding)
