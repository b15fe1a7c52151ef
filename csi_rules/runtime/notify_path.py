"""The ledger rules of a notify action: a delivery is marked as started before it leaves.

A platform write can be read back after a crash (the adapter answers `already_applied`); an
e-mail or a chat post cannot. So before a notify action is handed to its transport, its
pending ledger row is marked `sending` in its own transaction. A crash between that mark and
the result leaves the row pending *and* marked: on recovery a retry-safe transport (PagerDuty's
dedup_key, a webhook's Idempotency-Key, Opsgenie's alias) sends again, any other transport
settles the row as failed with "delivery uncertain" and never sends it again. At most once,
and never reported as sent when it may not have been.
"""

from __future__ import annotations

from csi_rules.notify.transport import Delivery

SENDING = "sending: "
UNCERTAIN = "delivery uncertain: "


def interrupted(detail: str) -> bool:
    """The row's delivery was started and its result never recorded (a crash)."""
    return detail.startswith(SENDING)


def uncertain(detail: str) -> bool:
    """Settled as possibly delivered: never attempted again."""
    return detail.startswith(UNCERTAIN)


def settle(delivery: Delivery, *, retry_safe: bool) -> tuple[str, str, str, bool]:
    """(ledger state, detail, ref, counts as an attempt) for a finished delivery."""
    if delivery.status == "sent":
        return "applied", delivery.detail, delivery.ref, True
    if delivery.status == "uncertain" and not retry_safe:
        return "failed", UNCERTAIN + delivery.detail + "; not sent again, to avoid a " \
            "duplicate", "", True
    return "failed", delivery.detail, "", not delivery.transient


def interrupted_settlement() -> tuple[str, str, str, bool]:
    return ("failed", UNCERTAIN + "the runner stopped while this was being sent, so it may "
            "have arrived; not sent again, to avoid a duplicate", "", False)
