"""Load policy test files (`*.test.yaml` or any YAML under a `tests/` folder).

Format::

    policies: ..            # optional: policy dir/file relative to this file
                            # (default: the folder that holds the `tests` folder)
    tests:
      - name: P1 network incidents go to Network L2
        now: 2026-01-05T10:00:00Z          # optional, default 2026-01-01T00:00:00Z
        only: [incident-routing]            # optional: compare only these policies' results
        record: {id: "1", kind: incident, category: network, priority: 1}
        schedule: [...]                     # optional: other changes, for gate conflict checks
        expect:
          decisions:                        # exact list, in order; each entry compares
            - policy: incident-routing      # only the keys it names (policy, rule,
              rule: p1-network              # outcome, actions)
              actions: [{assign: {group: Network L2}}]
          slas:                             # optional: exact list of SLA statuses, each
            - policy: incident-sla          # comparing the keys it names (stage, calendar,
              metric: resolution            # elapsed/remaining as durations like 1h30m,
              stage: in_progress            # breached_at/next_change as ISO, crossed ids)
              elapsed: 1h30m
          gate:                             # optional: go/no-go of the GatePolicies, with
            verdict: no-go                  # the ids of the checks that failed
            failed: [plans-present]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from csi_rules.errors import PolicyError, RecordError, UsageError
from csi_rules.findings import Finding
from csi_rules.policy.loader import load_text
from csi_rules.records.model import Record, parse_datetime, parse_record
from csi_rules.safe_json import decode_utf8

DEFAULT_NOW = datetime(2026, 1, 1, tzinfo=UTC)
SLA_KEYS = ("policy", "metric", "stage", "calendar", "elapsed", "remaining", "breached_at",
            "next_change", "crossed")

TEST_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["tests"],
    "additionalProperties": False,
    "properties": {
        "policies": {"type": "string"},
        "tests": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["name", "expect"],
            "oneOf": [{"required": ["record"]}, {"required": ["series"]},
                      {"required": ["records"]}],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "now": {"type": "string"},
                "only": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "record": {"type": "object"},
                "records": {"type": "array", "items": {"type": "object"}, "minItems": 1,
                            "description": "several tickets, for correlation policies"},
                "series": {"type": "array", "items": {"type": "object"},
                           "description": "KPI points {period, metric, value, labels...}"},
                "schedule": {"type": "array", "items": {"type": "object"},
                             "description": "other planned changes the gate checks conflicts "
                                            "against"},
                "expect": {"type": "object", "additionalProperties": False,
                           "minProperties": 1,
                           "properties": {"decisions": {"type": "array", "items": {
                               "type": "object", "additionalProperties": False,
                               "properties": {"policy": {"type": "string"},
                                              "rule": {"type": ["string", "null"]},
                                              "outcome": {"enum": ["matched", "default",
                                                                   "threshold", "escalation",
                                                                   "not_triggered"]},
                                              "actions": {"type": "array"}}}},
                                          "correlated": {"type": "array", "items": {
                                              "type": "object", "additionalProperties": False,
                                              "properties": {"policy": {"type": "string"},
                                                             "group": {"type": "object"},
                                                             "records": {"type": "array"}}}},
                                          "trends": {"type": "array", "items": {
                                              "type": "object", "additionalProperties": False,
                                              "properties": {"policy": {"type": "string"},
                                                             "series": {"type": "object"},
                                                             "periods": {"type": "array"}}}},
                                          "gate": {"type": "object",
                                                   "additionalProperties": False,
                                                   "required": ["verdict"],
                                                   "properties": {
                                                       "verdict": {"enum": ["go", "no-go",
                                                                            "go-with-warnings"]},
                                                       "failed": {"type": "array",
                                                                  "items": {"type": "string"}}}},
                                          "slas": {"type": "array", "items": {
                                              "type": "object", "additionalProperties": False,
                                              "required": ["policy", "metric"],
                                              "properties": {k: {"type": ["string", "null",
                                                                          "array"]}
                                                             for k in SLA_KEYS}}}}},
            },
        }},
    },
}
_VALIDATOR = Draft202012Validator(TEST_FILE_SCHEMA)


@dataclass(frozen=True)
class PolicyTest:
    name: str
    file: str
    line: int
    now: datetime
    record: Record
    expected: list[dict[str, Any]] | None
    expected_slas: list[dict[str, Any]] | None = None
    only: tuple[str, ...] = ()  # policy names the expectations are about (empty: all)
    expected_gate: dict[str, Any] | None = None
    schedule: tuple[Record, ...] | None = None
    series: tuple[Any, ...] | None = None
    expected_trends: list[dict[str, Any]] | None = None
    records: tuple[Record, ...] = ()
    expected_correlated: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class TestFile:
    path: Path
    policies: Path
    tests: list[PolicyTest]


def default_policies_dir(path: Path) -> Path:
    """The folder holding the `tests` folder this file is in (or the file's own folder)."""
    for parent in path.resolve().parents:
        if parent.name == "tests":
            return parent.parent
    return path.resolve().parent


def allowed_root(named: Path) -> Path:
    """The directory a test file's `policies:` must stay inside: the directory the user named
    (or, for a file or a `tests` folder, the policy folder holding it)."""
    named = named.resolve()
    if named.is_file() or "tests" in named.parts:
        return default_policies_dir(named / "_" if named.is_dir() else named)
    return named


def load_test_file(path: Path, root: Path | None = None) -> TestFile:
    """Parse and check one test file; every problem is a finding with file:line.

    `root`: the directory `policies:` must resolve inside (default: `allowed_root(path)`).
    """
    try:
        data_bytes = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    docs, findings = load_text(decode_utf8(data_bytes, str(path)), str(path))
    if findings:
        raise PolicyError(findings)
    if len(docs) != 1:
        raise PolicyError([Finding(str(path), 1, 1, "", "", "a test file holds one YAML document")])
    doc = docs[0]
    errors = [doc.finding(tuple(e.absolute_path), e.message) for e in _VALIDATOR.iter_errors(doc.data)]
    if errors:
        raise PolicyError(sorted(errors))
    data = doc.data
    policies = (path.parent / data["policies"]) if "policies" in data else default_policies_dir(path)
    limit = root if root is not None else allowed_root(path)
    if "policies" in data and not policies.resolve().is_relative_to(limit.resolve()):
        raise PolicyError([doc.finding(("policies",), f"{data['policies']!r} leads outside "
                                       f"{limit}, the directory under test")])
    tests = []
    problems: list[Finding] = []

    def parsed(pointer: tuple[Any, ...], build: Any) -> Any:
        """`build()`, or None with a finding at `pointer` (every broken test is reported)."""
        try:
            return build()
        except (RecordError, PolicyError) as exc:
            found = exc.findings if isinstance(exc, PolicyError) else [
                doc.finding(pointer, str(exc))]
            problems.extend(found)
            return None

    for i, raw in enumerate(data["tests"]):
        line = doc.locate(("tests", i))[0]
        now = (parsed(("tests", i, "now"), lambda raw=raw: parse_datetime(raw["now"], "now"))
               if "now" in raw else DEFAULT_NOW)
        record = parsed(("tests", i, "record"), lambda raw=raw: parse_record(
            raw.get("record", {"id": "kpi", "kind": "problem"}), "record"))
        schedule = None
        if "schedule" in raw:
            schedule = tuple(parsed(("tests", i, "schedule", j),
                                    lambda r=r: parse_record(r, "schedule record"))
                             for j, r in enumerate(raw["schedule"]))
        records = tuple(parsed(("tests", i, "records", j), lambda r=r: parse_record(r, "record"))
                        for j, r in enumerate(raw.get("records", ())))
        points = parsed(("tests", i, "series"), lambda raw=raw, line=line: _points(
            raw.get("series"), path, line))
        tests.append(PolicyTest(raw["name"], str(path), line, now, record,
                                raw["expect"].get("decisions"), raw["expect"].get("slas"),
                                tuple(raw.get("only", ())), raw["expect"].get("gate"), schedule,
                                points, raw["expect"].get("trends"), records,
                                raw["expect"].get("correlated")))
    if problems:
        raise PolicyError(sorted(problems))
    return TestFile(path, policies, tests)


def find_test_files(root: Path) -> list[Path]:
    """Test files under `root`: `*.test.yaml` anywhere, or any YAML inside a `tests` folder.

    A file found there that is a symbolic link leading out of `root` is refused, unread, as
    policy files are (`policy.loader.iter_policy_files`): its content would be quoted in the
    findings."""
    if root.is_file():
        return [root]
    found = set()
    resolved = root.resolve()
    for pattern in ("*.yaml", "*.yml"):
        for p in root.rglob(pattern):
            if not p.resolve().is_relative_to(resolved):
                raise UsageError(f"{p}: a symbolic link leading outside {root} "
                                 "(not read; name the file itself to use it)")
            rel = p.relative_to(root).parts
            if p.name.endswith((".test.yaml", ".test.yml")) or "tests" in rel[:-1] \
                    or root.name == "tests":
                found.add(p)
    return sorted(found)


def _points(raw: list[dict[str, Any]] | None, path: Path, line: int) -> tuple[Any, ...] | None:
    if raw is None:
        return None
    from csi_rules.kpi.series import parse_points

    try:
        return tuple(parse_points(enumerate(raw, 1), f"{path}:{line}: series point"))
    except RecordError as exc:
        raise PolicyError([Finding(str(path), line, 1, "", "series", str(exc))]) from None
