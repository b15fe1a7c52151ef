"""GET /v1/changes/{id}/wait: a long poll that answers as soon as a webhook names the record.

`csi-rules gate --wait --server URL` asks here instead of sleeping between its questions, so
an approval that a webhook reports ends the pause at once rather than at the next poll. The
answer only says "something happened" (`changed`), never what: the gate reads the platform
again, as webhooks never carry the truth (webhooks.py). `since` is the `seq` of the previous
answer, so a webhook that arrived between two polls is not missed; without it the poll waits
for the next one. `timeout` (seconds, default 25, at most 60) bounds the wait; then the answer
is `changed: false` and the caller asks the platform anyway.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from urllib.parse import unquote

from csi_rules.server.responses import Answer, problem

ROUTE = re.compile(r"^/v1/changes/([^/]+)/wait$")
DEFAULT_TIMEOUT, MAX_TIMEOUT = 25.0, 60.0


class ChangeEvents:
    """A counter per record id, bumped by each accepted webhook; waiters block on it."""

    def __init__(self) -> None:
        self._seq: dict[str, int] = {}
        self._changed = threading.Condition()

    def notify(self, record_id: str) -> None:
        with self._changed:
            self._seq[record_id] = self._seq.get(record_id, 0) + 1
            self._changed.notify_all()

    def wait(self, record_id: str, since: int | None, timeout: float) -> tuple[bool, int]:
        """(changed, seq): True once the record's counter passes `since` (or, without it,
        the counter as it was on arrival), False when `timeout` seconds pass first."""
        with self._changed:
            start = self._seq.get(record_id, 0) if since is None else since
            changed = self._changed.wait_for(lambda: self._seq.get(record_id, 0) > start,
                                             timeout)
            return changed, self._seq.get(record_id, 0)


def wait_answer(events: ChangeEvents, record_id: str, query: Mapping[str, list[str]]) -> Answer:
    try:
        timeout = float(query.get("timeout", [DEFAULT_TIMEOUT])[0])
        since_text = query.get("since", [""])[0]
        since = int(since_text) if since_text else None
    except ValueError:
        return problem(400, "timeout must be a number of seconds and since a whole number")
    if not 0 <= timeout <= MAX_TIMEOUT:
        return problem(400, f"timeout must be between 0 and {MAX_TIMEOUT:g} seconds")
    record = unquote(record_id)
    changed, seq = events.wait(record, since, timeout)
    return Answer(200, {"record": record, "changed": changed, "seq": seq})
