"""docs/emulators.md lists every operation the Jira emulator serves, and nothing it does not.

Issue 13: the table is the promise to users of what the emulator serves. The operation cells
are read as they are written ("GET, POST /rest/api/{2,3}/issue/{key}/comment, GET
.../comment/{id}", optional parts in brackets, later paths relative to the API or to the path
before) and compared with the emulator's own route table both ways.
"""

from __future__ import annotations

import re
from pathlib import Path

from csi_rules_jira.emulator import routes_search
from csi_rules_jira.emulator import server as emulator_server

DOC = Path(__file__).resolve().parents[3] / "docs" / "emulators.md"
METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}
_BASE = re.compile(r"/rest/(api/\{v\}|servicedeskapi|deployments/0\.1)")
_PARAM = re.compile(r"\{[^}]+\}")


def _jira_cells() -> list[str]:
    """The Operation cell of each row of the Jira table."""
    text = DOC.read_text(encoding="utf-8").split("\n## Jira", 1)[1].split("\n## ", 1)[0]
    return [re.split(r"(?<!\\)\|", line)[1].strip() for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| Operation")]


def _optional(path: str) -> list[str]:
    """`/priority[/{id}]` is `/priority` and `/priority/{id}`."""
    found = re.search(r"\[([^\]]*)\]", path)
    if found is None:
        return [path]
    return [variant for alternative in [*found.group(1).split("\\|"), ""]
            for variant in _optional(path[:found.start()] + alternative + path[found.end():])]


def _name(found: re.Match[str]) -> str:
    """`{2,3}` (both API versions) becomes `{v}`, any other parameter `{p}`."""
    return "{v}" if found.group(0) == "{2,3}" else "{p}"


def documented() -> list[tuple[str, str]]:
    """(method, path with each parameter as `X1`) for every operation the table names."""
    out: list[tuple[str, str]] = []
    previous = base = ""
    for cell in _jira_cells():
        cell = re.sub(r"\s*\([^)]*\)$", "", _PARAM.sub(_name, cell.replace("`", "")))
        methods: list[str] = []
        waiting: list[str] = []
        for token in cell.split(", "):
            head, _, rest = token.partition(" ")
            if head in METHODS and not rest:
                waiting.append(head)
                continue
            if head in METHODS:
                methods, waiting, token = [*waiting, head], [], rest
            path = token.split(" ")[0]
            if path.startswith("...") and previous:
                first = "/" + path[3:].strip("/").split("/")[0]
                path = previous[:previous.rindex(first)] + path[3:]
            elif path.startswith("/rest/"):
                base = m.group(0) if (m := _BASE.match(path)) else ""
            elif path.startswith("/") and base:
                path = base + path
            else:
                continue        # a row naming no path: refusals, wrong methods, webhooks
            previous = path
            for variant in _optional(path):
                for version in ("2", "3"):
                    concrete = _PARAM.sub("X1", variant.replace("{v}", version))
                    out += [(method, concrete) for method in methods]
    return out


def test_the_table_names_every_route_and_only_routes_served():
    routes = emulator_server._routes(routes_search.SearchCache())
    listed = documented()
    assert len(listed) > 80
    unlisted = [f"{m} {p.pattern}" for m, p, _ in routes
                if not any(m == method and p.fullmatch(path) for method, path in listed)]
    assert unlisted == []
    not_served = [f"{method} {path}" for method, path in listed
                  if not any(m == method and p.fullmatch(path) for m, p, _ in routes)]
    assert not_served == []
