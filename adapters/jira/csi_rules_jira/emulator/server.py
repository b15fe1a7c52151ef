"""JiraEmulator: a real HTTP server on loopback that behaves like Jira Cloud / DC + JSM.

Standard library only (ThreadingHTTPServer). Every request is authenticated like Jira
(Cloud: Basic email:API token; Data Center: Bearer PAT), may hit an injected fault or the
burst limiter, is routed, and — when `record=True` — kept as an Exchange for contract tests.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from csi_rules_jira.emulator import routes_create as create
from csi_rules_jira.emulator import routes_deployments
from csi_rules_jira.emulator import routes_issue as issue_routes
from csi_rules_jira.emulator import routes_jsm as jsm
from csi_rules_jira.emulator import routes_lookup as lookup
from csi_rules_jira.emulator import routes_meta as meta
from csi_rules_jira.emulator import routes_search as search
from csi_rules_jira.emulator.change_project import open_approvals
from csi_rules_jira.emulator.deployments import Deployments
from csi_rules_jira.emulator.faults import RATE_LIMIT_BODY, Faults, fault_headers
from csi_rules_jira.emulator.http import Exchange, HttpError, Reply, Request
from csi_rules_jira.emulator.model import User
from csi_rules_jira.emulator.outbox import Outbox
from csi_rules_jira.emulator.seed import load_seed
from csi_rules_jira.emulator.seed import shift_to_now as seed_shift
from csi_rules_jira.emulator.store import Site

Route = tuple[str, re.Pattern[str], Callable[..., Reply]]
_API = r"/rest/api/(?:2|3|latest)"   # `latest` is v2, as pycontribs `jira` calls it
_KEY = r"(?P<key>[^/]+)"
_SD = r"/rest/servicedeskapi"
_REF = r"(?P<ref>[^/]+)"
NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."


def _routes(cache: search.SearchCache, deployments: Deployments | None = None) -> list[Route]:
    def s(fn: Callable[..., Reply]) -> Callable[..., Reply]:
        return lambda site, req: fn(site, req, cache)

    table: list[tuple[str, str, Callable[..., Reply]]] = [
        ("GET", rf"{_API}/serverInfo", meta.server_info),
        ("GET", rf"{_API}/myself", meta.myself),
        ("GET", rf"{_API}/field", meta.fields),
        ("GET", rf"{_API}/issueLinkType", meta.link_types),
        ("GET", rf"{_API}/search/jql", s(search.enhanced)),
        ("POST", rf"{_API}/search/jql", s(search.enhanced)),
        ("POST", rf"{_API}/search/approximate-count", s(search.approximate_count)),
        ("GET", rf"{_API}/search", s(search.legacy)),
        ("POST", rf"{_API}/search", s(search.legacy)),
        ("POST", rf"{_API}/issueLink", issue_routes.add_link),
        ("GET", rf"{_API}/issueLink/{_REF}", lookup.get_link),
        ("GET", rf"{_API}/issueLinkType/{_REF}", lookup.get_link_type),
        ("POST", rf"{_API}/issue", create.create_issue),
        ("GET", rf"{_API}/user", lookup.get_user),
        ("GET", rf"{_API}/user/search", lookup.search_users),
        ("GET", rf"{_API}/project", lookup.list_projects),
        ("GET", rf"{_API}/project/{_REF}", lookup.get_project),
        ("GET", rf"{_API}/priority", lookup.list_priorities),
        ("GET", rf"{_API}/priority/{_REF}", lookup.get_priority),
        ("GET", rf"{_API}/status/{_REF}", lookup.get_status),
        ("GET", rf"{_API}/statuscategory/{_REF}", lookup.get_status_category),
        ("GET", rf"{_API}/issuetype/{_REF}", lookup.get_issue_type),
        ("GET", rf"{_API}/component/{_REF}", lookup.get_component),
        ("GET", rf"{_API}/issue/{_KEY}/comment/(?P<comment_id>[^/]+)", lookup.get_comment),
        ("GET", rf"{_API}/issue/{_KEY}", issue_routes.get_issue),
        ("PUT", rf"{_API}/issue/{_KEY}", issue_routes.edit_issue),
        ("GET", rf"{_API}/issue/{_KEY}/changelog", issue_routes.changelog),
        ("GET", rf"{_API}/issue/{_KEY}/transitions", issue_routes.get_transitions),
        ("POST", rf"{_API}/issue/{_KEY}/transitions", issue_routes.do_transition),
        ("PUT", rf"{_API}/issue/{_KEY}/assignee", issue_routes.assign),
        ("GET", rf"{_API}/issue/{_KEY}/comment", issue_routes.get_comments),
        ("POST", rf"{_API}/issue/{_KEY}/comment", issue_routes.add_comment),
        ("GET", rf"{_API}/issue/{_KEY}/properties/(?P<prop>[^/]+)", issue_routes.get_property),
        ("PUT", rf"{_API}/issue/{_KEY}/properties/(?P<prop>[^/]+)", issue_routes.put_property),
        ("GET", rf"{_SD}/request/{_KEY}", jsm.get_request),
        ("GET", rf"{_SD}/request/{_KEY}/sla", jsm.get_slas),
        ("GET", rf"{_SD}/request/{_KEY}/sla/(?P<metric>[^/]+)", jsm.get_slas),
        ("GET", rf"{_SD}/request/{_KEY}/approval", jsm.get_approvals),
        ("GET", rf"{_SD}/request/{_KEY}/approval/(?P<approval_id>[^/]+)", jsm.get_approvals),
        ("POST", rf"{_SD}/request/{_KEY}/approval/(?P<approval_id>[^/]+)", jsm.answer_approval),
        ("POST", rf"{_SD}/request/{_KEY}/comment", jsm.add_request_comment),
        ("GET", rf"{_SD}/request/{_KEY}/comment", jsm.request_comments),
        ("GET", rf"{_SD}/request/{_KEY}/comment/(?P<comment_id>[^/]+)", jsm.request_comments),
        ("GET", rf"{_SD}/request/{_KEY}/transition", jsm.customer_transitions),
        ("POST", rf"{_SD}/request/{_KEY}/transition", jsm.perform_customer_transition),
        ("GET", rf"{_SD}/servicedesk", jsm.service_desks),
        ("GET", rf"{_SD}/servicedesk/(?P<desk>[^/]+)", jsm.service_desk),
        ("GET", rf"{_SD}/servicedesk/(?P<desk>[^/]+)/requesttype/(?P<type_id>[^/]+)",
         jsm.request_type),
        ("GET", rf"{_SD}/servicedesk/(?P<desk>[^/]+)/requesttype", jsm.request_types),
        *routes_deployments.routes(deployments or Deployments()),
    ]
    return [(m, re.compile(p + "$"), fn) for m, p, fn in table]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16                 # one write per answer (headers + body): no Nagle stalls
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self.server.emulator.handle(self)

    def __getattr__(self, name: str) -> Any:
        """Every method reaches the router (PATCH, HEAD, OPTIONS, ...): it answers 405 itself."""
        if name.startswith("do_"):
            return self.do_GET
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the emulator's traffic is visible through `record=True` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: JiraEmulator


class JiraEmulator:
    """`JiraEmulator(port=0).start()`; `.url` is the base URL, `.site` the state to poke at."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, seed_dir: Path | None = None, *,
                 seed: dict[str, Any] | None = None, clock: Callable[[], datetime] | None = None,
                 deployment: str | None = None, record: bool = False,
                 rate_limit_per_second: float | None = None, shift_to_now: bool = False):
        data = dict(seed if seed is not None else load_seed(seed_dir))
        if deployment:
            data["deployment"] = deployment
        self.host, self.port = host, port
        self.clock = clock or (lambda: datetime.now(UTC))
        if shift_to_now:  # absolute seed times moved so the newest issue is an hour old
            data = seed_shift(data, self.clock())
        self.site = Site(data, self.clock)
        open_approvals(self.site)        # JSM approval steps that name approvers open one
        self.deployments = Deployments()  # Cloud deployment data (/rest/deployments/0.1)
        self.faults = Faults(rate_limit_per_second)
        self.exchanges: list[Exchange] | None = [] if record else None
        self.outbox: Outbox | None = None
        self.url = ""
        self._routes = _routes(search.SearchCache(), self.deployments)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> JiraEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        server = _Server((self.host, self.port), _Handler)
        server.emulator = self
        self._server = server
        self.port = server.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self.outbox = Outbox(self.site, self.url)
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                                        name="jira-emulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- one request -----------------------------------------------------------------------

    def _authenticate(self, header: str) -> User | None:
        kind, _, credential = header.partition(" ")
        site = self.site
        if kind.lower() == "basic" and site.is_cloud:
            try:
                email, _, token = base64.b64decode(credential).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            user = next((u for u in site.users.values() if u.email == email), None)
            return user if user and token and user.api_token == token else None
        if kind.lower() == "bearer" and not site.is_cloud:
            return next((u for u in site.users.values() if u.pat and u.pat == credential), None)
        return None

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        raw_length = h.headers.get("Content-Length") or "0"
        length = int(raw_length) if raw_length.isdigit() else 0
        body = h.rfile.read(length) if length else b""
        req = Request(h.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                      {k: v for k, v in h.headers.items()}, body, base_url=self.url)
        drop = False
        try:
            reply, drop = self._dispatch(req)
        except HttpError as exc:
            reply = Reply(exc.status, exc.body(req.path), exc.headers)
        except Exception as exc:
            reply = Reply(500, HttpError(500, f"Internal server error: {type(exc).__name__}.")
                          .body(req.path))
        if drop:
            h.close_connection = True
            return
        payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        headers = {"Content-Type": "application/json;charset=UTF-8", **reply.headers}
        h.send_response(reply.status)
        for name, value in headers.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        if payload and req.method != "HEAD":
            h.wfile.write(payload)
        if self.exchanges is not None:
            self.exchanges.append(Exchange(req.method, req.path, parts.query, dict(req.headers),
                                           body, reply.status, headers, payload))

    def _dispatch(self, req: Request) -> tuple[Reply, bool]:
        fault = self.faults.take(req.method, req.path)       # infrastructure: before auth
        if fault is not None and fault.before is not None:
            fault.before()
        if fault is not None and fault.mode == "respond":
            body = fault.body if fault.body is not None else (
                RATE_LIMIT_BODY if fault.status == 429 else
                HttpError(fault.status, f"Injected failure {fault.status}.").body(req.path))
            return Reply(fault.status, body, fault_headers(fault, self.clock())), False
        header = req.headers.get("Authorization") or req.headers.get("authorization") or ""
        req.user = self._authenticate(header) if header else None
        public = req.path.endswith("/serverInfo")
        if req.user is None and (header or not public):
            raise HttpError(401, NOT_AUTHENTICATED)
        limited = self.faults.over_limit(req.user.account_id if req.user else "", self.clock())
        if limited is not None:
            return Reply(429, RATE_LIMIT_BODY, limited), False
        allowed: list[str] = []
        wanted = "GET" if req.method == "HEAD" else req.method
        for method, pattern, fn in self._routes:
            match = pattern.match(req.path)
            if match and method == wanted:
                reply = fn(self.site, req, **match.groupdict())
                return reply, fault is not None and fault.mode == "drop_after_apply"
            if match:
                allowed.append(method)
        if not allowed:
            raise HttpError(404, f"null for uri: {req.base_url}{req.path}")
        return method_not_allowed(req, allowed), False


def method_not_allowed(req: Request, allowed: list[str]) -> Reply:
    """OPTIONS lists a route's methods; any other method it does not take is a 405.

    Jira Cloud answers a wrong method with an RFC 7807 problem document and an `Allow` header
    naming the route's methods (measured on a Cloud site by a third party; see docs/emulators.md).
    """
    methods = list(dict.fromkeys(allowed + (["HEAD"] if "GET" in allowed else []) + ["OPTIONS"]))
    allow = {"Allow": ",".join(methods)}
    if req.method == "OPTIONS":
        return Reply(200, None, {**allow, "Content-Type": "text/html;charset=UTF-8"})
    return Reply(405, {"type": "about:blank", "title": "Method Not Allowed", "status": 405,
                       "detail": f"Method {req.method} is not supported for {req.path}.",
                       "instance": req.path},
                 {**allow, "Content-Type": "application/problem+json;charset=UTF-8"})
