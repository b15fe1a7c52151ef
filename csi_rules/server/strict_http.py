"""Strict reading of the request line and framing headers: ambiguity is refused, not guessed.

A lenient parser is how request smuggling and cache poisoning start: `int()` reads `1_0`
as 10 and ` +5` as 5, a proxy and this server may pick different copies of a duplicated
Content-Length, and an absolute-form target (`GET http://evil/healthz`) names a host we
are not. Each function returns None when the request is acceptable, or the reason it is not.
"""

from __future__ import annotations

import re
from email.message import Message

_DIGITS = re.compile(r"[0-9]{1,18}")


def target_problem(target: str) -> str | None:
    """Only origin-form targets (`/path?query`) are served."""
    if not target.startswith("/") or target.startswith("//"):
        return f"request target must be a path starting with one '/' (got {target[:60]!r})"
    return None


def content_length(headers: Message) -> tuple[int | None, str | None, int]:
    """(length, problem, status): the body length, or why the framing is refused.

    Length is None when the request has no body headers at all.
    """
    encodings = headers.get_all("Transfer-Encoding") or []
    if encodings:
        return None, "send a Content-Length (Transfer-Encoding bodies are not accepted)", 411
    values = headers.get_all("Content-Length") or []
    if not values:
        return None, None, 0
    if len(values) > 1:
        return None, "Content-Length is given more than once", 400
    text = values[0].strip(" \t")
    if not _DIGITS.fullmatch(text):
        return None, f"Content-Length {text[:20]!r} is not a non-negative decimal number", 400
    return int(text), None, 0
