"""Apply one action: plan its steps, skip those already done, write the rest once.

Outcomes: `already_applied` when every step was done before (a repeated or retried action);
`applied` when something was written, including a write whose answer was lost but whose effect
a read then confirmed; `skipped` for dry runs and actions that are not ServiceNow writes;
`failed` when the action asks for something this adapter does not do (see capabilities.py),
the instance refused (403 data policy / ACL, 400), a field write did not show on a read-back,
or an ambiguous write did not land. A failed write is never resent here: the next run's check
decides. Steps run in order and stop at the first failure, so a work note that reports an
action is written only after the action's own write has been confirmed.

`prepare` plans a whole batch's actions up front and reads, once per page, what their checks
compare (snapshot.py); `apply` then checks against that snapshot where it can.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from csi_rules.adapter import ActionResult
from csi_rules.capabilities import refusals
from csi_rules.errors import RecordNotFound
from csi_rules_servicenow.actions.capabilities import capabilities
from csi_rules_servicenow.actions.handlers import (
    HANDLERS,
    ActionRefused,
    NotForServiceNow,
    Target,
)
from csi_rules_servicenow.actions.snapshot import Snapshot, Wanted, take
from csi_rules_servicenow.actions.steps import FieldWrite, JournalWrite, Step
from csi_rules_servicenow.client import TableClient
from csi_rules_servicenow.errors import AmbiguousWrite, ServiceNowForbidden, ServiceNowRequestError

log = logging.getLogger("csi_rules_servicenow")


def plan(target: Target, action_type: str, params: Mapping[str, Any]) -> list[Step]:
    refused = [r.message for r in refusals(capabilities(), action_type, params)
               if r.severity == "error"]
    if refused:
        raise ActionRefused("; ".join(refused) + "; nothing was written")
    handler = HANDLERS.get(action_type)
    if handler is None:
        raise ActionRefused(f"action type {action_type!r} is not supported by the ServiceNow "
                            f"adapter (supported: {', '.join(sorted(HANDLERS))})")
    return handler(target, params)


def prepare(client: TableClient,
            planned: Iterable[tuple[Target, str, Mapping[str, Any]]]) -> Snapshot:
    """The snapshot for a batch: the columns its field writes compare and its work-note
    markers. An action that cannot be planned (refused, unknown group) is left out: `apply`
    reports it as before."""
    wanted: dict[str, Wanted] = {}
    for target, action_type, params in planned:
        try:
            steps = plan(target, action_type, params)
        except (NotForServiceNow, ActionRefused, RecordNotFound, ServiceNowForbidden,
                ServiceNowRequestError):
            continue
        want = wanted.setdefault(target.table, Wanted())
        for step in steps:
            if isinstance(step, FieldWrite):
                want.sys_ids.add(target.sys_id)
                want.columns.update(step.wanted)
            elif isinstance(step, JournalWrite) and step.element == "work_notes" \
                    and step.check == "journal_table":
                want.notes.add(target.sys_id)
    return take(client, wanted)


def apply(client: TableClient, target: Target, action_type: str, params: Mapping[str, Any],
          *, dry_run: bool) -> ActionResult:
    try:
        steps = plan(target, action_type, params)
        todo = [s for s in steps if s.pending(client)]
    except NotForServiceNow as exc:
        return ActionResult("skipped", str(exc))
    except ActionRefused as exc:
        return ActionResult("failed", str(exc))
    except RecordNotFound as exc:
        return ActionResult("failed", f"record no longer exists: {exc}")
    except (ServiceNowForbidden, ServiceNowRequestError) as exc:
        return ActionResult("failed", str(exc))
    if not todo:
        done_before = "; ".join(s.describe() for s in steps) or "nothing to do"
        return ActionResult("already_applied", done_before,
                            platform_ref=target.sys_id)
    if dry_run:
        return ActionResult("skipped", "dry run: would " + "; ".join(s.describe() for s in todo),
                            platform_ref=target.sys_id, extra={"dry_run": True})
    done: list[str] = []
    for step in todo:
        try:
            step.write(client)
        except AmbiguousWrite as exc:
            if _landed(client, step):
                log.warning("write outcome was unknown but is confirmed by a read: %s", exc)
            else:
                return ActionResult("failed", f"{exc}; a read shows it did not land; not resent",
                                    platform_ref=target.sys_id, extra={"done": done})
        except RecordNotFound as exc:
            return ActionResult("failed", f"record no longer exists: {exc}",
                                platform_ref=target.sys_id, extra={"done": done})
        except (ServiceNowForbidden, ServiceNowRequestError) as exc:
            return ActionResult("failed", str(exc), platform_ref=target.sys_id,
                                extra={"done": done})
        if isinstance(step, FieldWrite) and step.pending(client):
            return ActionResult("failed", f"the instance accepted '{step.describe()}' but the "
                                "record does not show it (a business rule or ACL may have undone "
                                "it); nothing further written", platform_ref=target.sys_id,
                                extra={"done": done})
        done.append(step.describe())
    return ActionResult("applied", "; ".join(done), platform_ref=target.sys_id,
                        extra={"steps": len(done)})


def _landed(client: TableClient, step: Step) -> bool:
    """After an ambiguous write: did it take effect? (A read, retried like every read.)"""
    return not step.pending(client)
