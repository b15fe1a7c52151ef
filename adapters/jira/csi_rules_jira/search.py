"""Paging through JQL results: Cloud's token pager and Data Center's offset pager."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from csi_rules_jira.site import SiteInfo
from csi_rules_jira.transport import Transport


def search(transport: Transport, site: SiteInfo, jql: str, fields: Sequence[str], *,
           page_size: int, expand: str = "") -> Iterator[dict[str, Any]]:
    """Every issue matching `jql`, with exactly `fields` (enhanced search defaults to id only)."""
    if site.deployment == "cloud":
        yield from _token_pages(transport, jql, fields, page_size, expand)
    else:
        yield from _offset_pages(transport, jql, fields, page_size, expand)


def _token_pages(transport: Transport, jql: str, fields: Sequence[str], page_size: int,
                 expand: str) -> Iterator[dict[str, Any]]:
    """POST /rest/api/3/search/jql until `isLast` (or no `nextPageToken`)."""
    token: str | None = None
    while True:
        body: dict[str, Any] = {"jql": jql, "fields": list(fields), "maxResults": page_size}
        if expand:
            body["expand"] = expand
        if token:
            body["nextPageToken"] = token
        page: Any = transport.read("/rest/api/3/search/jql", method="POST", body=body) or {}
        yield from page.get("issues") or ()
        token = page.get("nextPageToken")
        if page.get("isLast", True) or not token:
            return


def _offset_pages(transport: Transport, jql: str, fields: Sequence[str], page_size: int,
                  expand: str) -> Iterator[dict[str, Any]]:
    """GET /rest/api/2/search with startAt/maxResults/total (Data Center keeps offset paging)."""
    start = 0
    while True:
        params: dict[str, Any] = {"jql": jql, "fields": ",".join(fields), "startAt": start,
                                  "maxResults": page_size}
        if expand:
            params["expand"] = expand
        page: Any = transport.read("/rest/api/2/search", params) or {}
        issues = page.get("issues") or []
        yield from issues
        start += len(issues)
        if not issues or start >= int(page.get("total", 0)):
            return
