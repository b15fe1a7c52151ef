"""Generated names for durable rulesets, rules and fact properties, checked against its hashing.

durable-rules identifies properties, message ids and sessions by a 32-bit FNV-1 hash and
never compares the strings. Two property names with one hash would read each other's
values, so every generated name is checked against every other name in the same message
(including durable's own `id`, `sid`, `$s`, ...) and renamed on a collision.
"""

from __future__ import annotations

import re

FNV_OFFSET_BASIS = 2166136261
FNV_PRIME = 16777619
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# property names durable gives meaning to, or puts in messages itself
RESERVED = ("id", "sid", "$s", "$i", "$m", "$forward", "$time", "$pulse", "$timerName",
            "$baseTime", "label", "chart", "running", "exception", "m")
SID = "s"  # the one session every fact is posted into
MARKER = "mk"  # property present (=1) on every fact we post, never on durable's state message


def fnv1_32(text: str) -> int:
    """durable's `fnv1Hash32`: XOR-then-multiply over the bytes (signed char, as on x86)."""
    h = FNV_OFFSET_BASIS
    for byte in text.encode("utf-8"):
        signed = byte - 256 if byte >= 128 else byte
        h = ((h ^ (signed & 0xFFFFFFFF)) * FNV_PRIME) & 0xFFFFFFFF
    return h


class NameSpace:
    """Hands out property names whose hashes collide with no other name in the message."""

    def __init__(self) -> None:
        self._hashes: dict[int, str] = {fnv1_32(n): n for n in RESERVED}
        self.claim(MARKER)

    def claim(self, wanted: str) -> str:
        name = wanted
        n = 0
        while fnv1_32(name) in self._hashes:
            n += 1
            name = f"{wanted}_{n}"
        if not NAME_RE.match(name):
            raise ValueError(f"generated name {name!r} is not [a-z][a-z0-9_]*")
        self._hashes[fnv1_32(name)] = name
        return name


def message_ids(count: int) -> tuple[int, ...]:
    """`count` integer message ids with pairwise-distinct hashes, none equal to the state's id.

    A batch posts its facts with these ids; distinct hashes mean durable can never take two
    facts of one batch for the same message (its identity check compares hashes only).
    """
    taken = {fnv1_32(f"sid-{SID}")}
    out: list[int] = []
    i = 0
    while len(out) < count:
        h = fnv1_32(str(i))
        if h not in taken:
            taken.add(h)
            out.append(i)
        i += 1
    return tuple(out)
