"""Who may call /v1/gate: the bearer token of `server.gate`, compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Sequence


def bearer_ok(headers: Sequence[str], token: str) -> bool:
    """True when no token is configured, or exactly one `Authorization: Bearer <token>`
    header carries it. The comparison takes the same time wherever a guess goes wrong."""
    if not token:
        return True
    if len(headers) != 1:
        return False
    scheme, _, value = headers[0].strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                              token.encode())
