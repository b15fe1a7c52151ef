"""Jira Cloud deployments API (`/rest/deployments/0.1`): submit, get, delete, gating status.

Errors answer with the document's `ErrorMessages` body (a list of {message}), not the
platform API's ErrorCollection. Data Center has no deployments API: 404 there.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC
from typing import Any

from csi_rules_jira.emulator.deployments import BadRequest, Deployments, Key, gating, submit
from csi_rules_jira.emulator.http import HttpError, Reply, Request
from csi_rules_jira.emulator.store import Site

BASE = "/rest/deployments/0.1"
_KEY = (r"/pipelines/(?P<pipeline>[^/]+)/environments/(?P<environment>[^/]+)"
        r"/deployments/(?P<seq>[^/]+)")
NOT_FOUND = "No data found for the given deployment ID."


def _messages(status: int, *messages: str) -> Reply:
    return Reply(status, [{"message": m} for m in messages])


def _cloud(site: Site) -> None:
    if not site.is_cloud:
        raise HttpError(404, "The deployments API is a Jira Cloud API.")


def _key(pipeline: str, environment: str, seq: str) -> Key:
    from urllib.parse import unquote

    if not re.fullmatch(r"-?\d{1,19}", seq):
        raise HttpError(400, f"The value '{seq}' is invalid for deploymentSequenceNumber.")
    return unquote(pipeline), unquote(environment), int(seq)


def _stamp(moment: Any) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _errors_as_messages(fn: Callable[..., Reply]) -> Callable[..., Reply]:
    """This API's errors are ErrorMessages lists, whatever raised them."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Reply:
        try:
            return fn(*args, **kwargs)
        except HttpError as exc:
            return _messages(exc.status, *(exc.messages or ["Bad request."]))
    return run


def routes(store: Deployments) -> list[tuple[str, str, Callable[..., Reply]]]:
    """The route table entries, each handler bound to the emulator's deployment store."""

    def post_bulk(site: Site, req: Request) -> Reply:
        _cloud(site)
        body = req.json()
        try:
            return Reply(202, submit(site, store, body))
        except BadRequest as exc:
            return _messages(400, str(exc))

    def get_one(site: Site, req: Request, pipeline: str, environment: str, seq: str) -> Reply:
        _cloud(site)
        with site.lock:
            found = store.get(_key(pipeline, environment, seq))
            return Reply(200, dict(found.data)) if found else _messages(404, NOT_FOUND)

    def delete_one(site: Site, req: Request, pipeline: str, environment: str, seq: str) -> Reply:
        _cloud(site)
        with site.lock:
            store.items.pop(_key(pipeline, environment, seq), None)
        return Reply(202)

    def gating_status(site: Site, req: Request, pipeline: str, environment: str,
                      seq: str) -> Reply:
        _cloud(site)
        key = _key(pipeline, environment, seq)
        with site.lock:
            found = store.get(key)
            if found is None:
                return _messages(404, NOT_FOUND)
            status, details = gating(site, found, req.base_url)
            issues = [site.issue(d["issueKey"]) for d in details]
            updated = max([found.stored_at, *(i.updated for i in issues if i is not None)])
        return Reply(200, {"deploymentSequenceNumber": key[2], "pipelineId": key[0],
                           "environmentId": key[1], "updatedTimestamp": _stamp(updated),
                           "gatingStatus": status, "details": details})

    table: list[tuple[str, str, Callable[..., Reply]]] = [
        ("POST", rf"{BASE}/bulk", post_bulk), ("GET", rf"{BASE}{_KEY}", get_one),
        ("DELETE", rf"{BASE}{_KEY}", delete_one),
        ("GET", rf"{BASE}{_KEY}/gating-status", gating_status)]
    return [(method, pattern, _errors_as_messages(fn)) for method, pattern, fn in table]
