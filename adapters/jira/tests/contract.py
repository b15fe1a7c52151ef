"""Validate recorded emulator exchanges against Atlassian's official OpenAPI documents.

openapi-core does the work (path matching, parameters, request bodies, response bodies with
$ref resolution, readOnly in requests). Three deliberate settings, each for a documented reason:
- strict spec validation is off: the Jira document fails it (an enum default of '');
- `date-time` also accepts Jira's own `2021-01-17T12:34:00.000+0000` form (no colon in the
  offset), which the same document uses in its examples and every Jira site sends;
- statuses an operation does not declare (429, 503, 410, 401 on some) and bodies the document
  declares with no schema are checked against ErrorCollection / ErrorResponse directly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from rfc3339_validator import validate_rfc3339

SERVER = "http://emulator.test"
_JIRA_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?[+-]\d{4}$")


def jira_datetime(value: Any) -> bool:
    return not isinstance(value, str) or validate_rfc3339(value) or bool(_JIRA_TS.match(value))


FORMATS = {"date-time": jira_datetime}


class _Doc:
    def __init__(self, path: Path, error_schema: str):
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
        data["servers"] = [{"url": SERVER}]
        self.raw = data
        self.api = OpenAPI.from_dict(data, config=Config(spec_validator_cls=None,
                                                         extra_format_validators=FORMATS))
        self.body = V30RequestBodyValidator(self.api.spec, extra_format_validators=FORMATS)
        self.params = V30RequestParametersValidator(self.api.spec)
        resource = Resource.opaque(data)
        registry = Registry().with_resource("urn:spec", resource)
        self.error = OAS30Validator({"$ref": f"urn:spec#/components/schemas/{error_schema}"},
                                    registry=registry)


class ContractChecker:
    def __init__(self, specs: Path):
        self.jira = _Doc(specs / "jira-platform-swagger-v3.v3.json", "ErrorCollection")
        self.jsm = _Doc(specs / "jsm-service-management.json", "ErrorResponse")

    def doc_for(self, path: str) -> tuple[_Doc, str] | None:
        if path.startswith("/rest/servicedeskapi/"):
            return self.jsm, path
        if path.startswith(("/rest/api/2/", "/rest/api/3/")):
            return self.jira, "/rest/api/3/" + path[len("/rest/api/2/"):]  # v2 shares v3 shapes
        return None

    def problems(self, exchange: Any) -> list[str]:
        """Every way one exchange breaks the official contract (empty when it conforms)."""
        found = self.doc_for(exchange.path)
        if found is None:
            return []
        doc, path = found
        where = f"{exchange.method} {exchange.path} -> {exchange.status}"
        args = _query(exchange.query)
        ctype = "application/json" if exchange.request_body else None
        request = MockRequest(SERVER, exchange.method.lower(), path, args=args,
                              data=exchange.request_body or None, content_type=ctype)
        out = []
        for validator in (doc.params, doc.body):        # every request, whatever the answer
            try:
                validator.validate(request)
            except Exception as exc:
                out.append(f"{where}: request: {_reason(exc)}")
        response = MockResponse(exchange.response_body, status_code=exchange.status,
                                content_type="application/json")
        try:
            doc.api.validate_response(request, response)
            return out
        except Exception as exc:
            name = type(exc).__name__
            if name in ("ResponseNotFound", "MissingData") or (
                    exchange.status >= 400 and name == "MissingResponseContent"):
                out.extend(self._fallback(doc, exchange, where, name))
            else:
                out.append(f"{where}: response: {_reason(exc)}")
        return out

    def _fallback(self, doc: _Doc, exchange: Any, where: str, why: str) -> list[str]:
        if why == "MissingData":
            # 204, or a 201 declared as "application/json: {}": no body is what Jira sends
            return [] if not exchange.response_body else [f"{where}: unexpected body"]
        if exchange.status < 400:
            return [f"{where}: status not declared by the operation"]
        body = json.loads(exchange.response_body or b"{}")
        return [f"{where}: error body: {e.message}" for e in doc.error.iter_errors(body)]


def _query(text: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(text, keep_blank_values=True))


def _reason(exc: Exception) -> str:
    cause = exc.__cause__
    detail = getattr(cause, "schema_errors", None)
    if detail:
        return "; ".join(str(getattr(e, "message", e)) for e in detail)[:500]
    return f"{type(exc).__name__}: {exc}"[:500]
