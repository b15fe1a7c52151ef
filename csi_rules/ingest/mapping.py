"""Load and check a CSV column mapping file into a compiled CsvMapping.

Two kinds share the format: ChangeCsvMapping (change records, merged per groupBy value) and
SnapshotCsvMapping (a ticket audit log: rows of one ticket are snapshots in time, see
csi_rules/replay/snapshot_log.py).

Every problem is reported at once as `file:line:col: mapping NAME: path: message`, the same
shape as policy findings, so a broken mapping is fixed in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csi_rules.conditions.regex import compile_pattern
from csi_rules.errors import PolicyError, UsageError
from csi_rules.findings import Finding
from csi_rules.ingest.mapping_schema import MAPPING_SCHEMA
from csi_rules.policy.loader import Document, load_text
from csi_rules.policy.schema_verdict import SchemaVerdict
from csi_rules.records.fields import FIELDS
from csi_rules.suggest import unknown_name


@cache
def _verdict() -> SchemaVerdict:
    """Answers "valid?" without jsonschema (see SchemaVerdict): jsonschema's validator is
    made only for a mapping it does not call valid, to say what is wrong."""
    return SchemaVerdict(MAPPING_SCHEMA)


_ORDERED_TYPES = ("datetime", "integer", "number")
UNMAPPED_PREFIX = "code:"  # csi_rules.records.vocabulary: a platform value with no mapping
SNAPSHOT_MERGES = ("first", "last")
NO_VALUE: Any = object()
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "boolean": bool, "integer": int, "number": (int, float), "string": str, "string[]": str,
    "datetime": str}


@dataclass(frozen=True)
class Source:
    """One place a value can come from: a column (through a value map or patterns) or a constant."""

    column: str | None = None
    constant: Any = NO_VALUE
    values: dict[str, Any] | None = None
    patterns: tuple[tuple[re.Pattern[str], Any], ...] = ()
    default: Any = NO_VALUE


@dataclass(frozen=True)
class FieldRule:
    """How one record field (or raw.<name>) is filled and how a change's rows combine."""

    field: str
    type: str  # string, integer, number, boolean, datetime, string[]
    sources: tuple[Source, ...]
    merge: str
    required: bool = False
    split: str | None = None
    order: tuple[Any, ...] | None = None  # enum order for min/max on e.g. risk

    @property
    def is_list(self) -> bool:
        return self.type == "string[]" or self.merge == "collect"


@dataclass(frozen=True)
class SnapshotRules:
    """How a ticket's snapshot rows become one record with history (SnapshotCsvMapping)."""

    record_kind: str
    order_by: tuple[str, ...]
    track: tuple[str, ...]
    at: str = "updated_at"


@dataclass(frozen=True)
class CsvMapping:
    """A checked mapping, ready to turn CSV rows into records."""

    name: str
    file: str
    rules: tuple[FieldRule, ...]
    delimiter: str = ","
    quotechar: str = '"'
    encoding: str = "utf-8"
    archive_member: str | None = None
    time_zone: str | None = None
    date_formats: tuple[str, ...] = ()
    group_by: str | None = None
    kind: str = "ChangeCsvMapping"
    null_values: frozenset[str] = frozenset()
    snapshots: SnapshotRules | None = None

    @property
    def record_kind(self) -> str:
        return self.snapshots.record_kind if self.snapshots else "change"

    def columns(self) -> list[str]:
        """Every column the mapping reads, in first-use order."""
        seen = [self.group_by] if self.group_by else []
        for rule in self.rules:
            for source in rule.sources:
                if source.column and source.column not in seen:
                    seen.append(source.column)
        return seen


def load_mapping(path: str | Path, kind: str = "ChangeCsvMapping") -> CsvMapping:
    """Read, validate and compile a mapping file of `kind`; raises PolicyError with every
    finding."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read mapping: {exc.strerror}") from None
    docs, findings = load_text(text, str(path))
    if not findings and len(docs) != 1:
        findings = [Finding(str(path), 1, 1, "", "", "a mapping file holds exactly one document")]
    if findings:
        raise PolicyError(findings)
    doc = docs[0]
    findings = [doc.finding(tuple(e.absolute_path), str(e.message))
                for e in _verdict().errors(doc.data)]
    if not findings and doc.data["kind"] != kind:
        findings = [doc.finding(("kind",), f"this is a {doc.data['kind']}; a {kind} is needed "
                                           f"here")]
    if not findings:
        findings = _semantic_findings(doc)
    if findings:
        raise PolicyError(sorted(findings))
    return _compile(doc)


def _field_type(name: str, rule: dict[str, Any]) -> str | None:
    if name.startswith("raw."):
        return str(rule.get("type", "string"))
    spec = FIELDS.get(name)
    return spec.type if spec is not None else None


def _semantic_findings(doc: Document) -> list[Finding]:
    spec = doc.data["spec"]
    out: list[Finding] = []
    where = ("spec", "fields")
    record_kind = spec.get("snapshots", {}).get("recordKind", "change")
    snapshot_kind = doc.data["kind"] == "SnapshotCsvMapping"
    valid = sorted(n for n, s in FIELDS.items()
                   if record_kind in s.kinds and not s.derived and n not in ("kind", "raw"))
    if "timeZone" in spec:
        try:
            ZoneInfo(spec["timeZone"])
        except (ZoneInfoNotFoundError, ValueError):
            out.append(doc.finding(("spec", "timeZone"),
                                   f"unknown time zone {spec['timeZone']!r} (use an IANA name)"))
    if "id" not in spec["fields"]:
        out.append(doc.finding(where, f"no rule for field id (every {record_kind} needs an id)"))
    out += _snapshot_findings(doc)
    for name, rule in spec["fields"].items():
        ptr = (*where, name)
        if name == "kind":
            out.append(doc.finding(ptr, f"kind is always {record_kind!r}; remove this rule"))
            continue
        ftype = _field_type(name, rule)
        if ftype is None or (not name.startswith("raw.") and name not in valid):
            out.append(doc.finding(ptr, unknown_name("record field", name, [*valid, "raw.<name>"])))
            continue
        if "type" in rule and not name.startswith("raw."):
            out.append(doc.finding((*ptr, "type"), f"{name} has type {ftype}; only raw.<name> "
                                                   "fields take a type"))
        kinds = [k for k in ("column", "value", "firstOf") if k in rule]
        if len(kinds) != 1:
            out.append(doc.finding(ptr, "give exactly one of column, value or firstOf"))
        if "firstOf" in rule and any(k in rule for k in ("values", "patterns", "default")):
            out.append(doc.finding(ptr, "with firstOf, put values/patterns/default inside each "
                                        "source"))
        merge = None if snapshot_kind else rule.get("merge")  # snapshot merges: see below
        enum = FIELDS[name].enum if name in FIELDS else None
        if merge in ("min", "max") and ftype not in _ORDERED_TYPES and not enum:
            out.append(doc.finding((*ptr, "merge"), f"merge {merge} needs an ordered field "
                                   "(date-time, number, or one with fixed levels such as risk)"))
        if merge is not None and merge != "collect" and ftype == "string[]":
            out.append(doc.finding((*ptr, "merge"), f"{name} is a list: its rows are always "
                                                    "collected (merge: collect)"))
        if merge == "collect" and ftype != "string[]" and not name.startswith("raw."):
            out.append(doc.finding((*ptr, "merge"), f"{name} holds one value; collect is for "
                                                    "list and raw.<name> fields"))
        if "split" in rule and ftype != "string[]" and not name.startswith("raw."):
            out.append(doc.finding((*ptr, "split"), "split is for list fields"))
        for i, source in enumerate(rule.get("firstOf", [rule])):
            sptr = (*ptr, "firstOf", i) if "firstOf" in rule else ptr
            out += _source_findings(doc, sptr, source, ftype, enum or _vocabulary(name,
                                                                                 record_kind))
    return out


def _vocabulary(name: str, record_kind: str) -> tuple[str, ...] | None:
    """The contract's values for `name` on `record_kind` (state), plus the `code:<value>` form
    a platform value without a mapping is kept in; None when the field has no vocabulary."""
    spec = FIELDS.get(name)
    vocabulary = getattr(spec, "vocabulary", None) or {}
    words = vocabulary.get(record_kind)
    return (*words, f"{UNMAPPED_PREFIX}<value>") if words else None


def _snapshot_findings(doc: Document) -> list[Finding]:
    """A snapshot log needs groupBy and a snapshots section naming mapped, fitting fields."""
    spec = doc.data["spec"]
    snapshot_kind = doc.data["kind"] == "SnapshotCsvMapping"
    if not snapshot_kind:
        return [doc.finding(("spec", "snapshots"), "snapshots is for kind SnapshotCsvMapping")] \
            if "snapshots" in spec else []
    out = []
    if "groupBy" not in spec:
        out.append(doc.finding(("spec",), "groupBy is required: the column naming the ticket "
                                          "each snapshot row belongs to"))
    if "snapshots" not in spec:
        return [*out, doc.finding(("spec",), "snapshots is required (recordKind, orderBy, "
                                             "track)")]
    rules = spec["snapshots"]
    fields = spec["fields"]
    named: list[tuple[str, int | None, str]] = [("orderBy", i, n)
                                                for i, n in enumerate(rules["orderBy"])]
    named += [("track", i, n) for i, n in enumerate(rules["track"])]
    named.append(("at", None, rules.get("at", "updated_at")))
    for key, i, name in named:
        ptr = ("spec", "snapshots", key) + ((i,) if i is not None else ())
        if name not in fields:
            out.append(doc.finding(ptr, unknown_name("mapped field", name, list(fields))))
            continue
        ftype = _field_type(name, fields[name])
        if key == "orderBy" and ftype not in _ORDERED_TYPES:
            out.append(doc.finding(ptr, f"{name} is a {ftype}; order snapshots by a date-time "
                                        "or a number"))
        if key == "at" and ftype != "datetime":
            out.append(doc.finding(ptr, f"{name} is a {ftype}; the snapshot instant must be a "
                                        "date-time"))
    for name, rule in fields.items():
        if rule.get("merge", "last") not in SNAPSHOT_MERGES:
            out.append(doc.finding(("spec", "fields", name, "merge"), f"merge {rule['merge']} "
                                   "does not apply to snapshot logs: a field takes its value "
                                   "from the last snapshot (merge: last) or the first (merge: "
                                   "first)"))
    return out


def snapshot_merge(name: str, rule: dict[str, Any]) -> str:
    """Which snapshot gives a field its value: `merge` when given; else the first for opened_at
    (a ticket opens once, so the event time mapped to opened_at means its first event) and the
    last for everything else."""
    return str(rule.get("merge", "first" if name == "opened_at" else "last"))


def _source_findings(doc: Document, ptr: tuple[Any, ...], source: dict[str, Any], ftype: str,
                     enum: tuple[str, ...] | None) -> list[Finding]:
    out = []
    targets: list[tuple[tuple[Any, ...], Any]] = []
    targets += [((*ptr, "values", k), v) for k, v in source.get("values", {}).items()]
    for j, pattern in enumerate(source.get("patterns", [])):
        try:
            compile_pattern(pattern["match"])
        except re.error as exc:  # UnboundedPattern too: a pattern RE2 cannot bound
            out.append(doc.finding((*ptr, "patterns", j, "match"), f"bad regular expression: {exc}"))
        targets.append(((*ptr, "patterns", j, "value"), pattern["value"]))
    for key in ("value", "default"):
        if key in source:
            targets.append(((*ptr, key), source[key]))
    for tptr, value in targets:
        problem = _value_problem(value, ftype, enum)
        if problem:
            out.append(doc.finding(tptr, problem))
    return out


def _value_problem(value: Any, ftype: str, enum: tuple[str, ...] | None) -> str | None:
    if value is None:
        return None
    if enum and value not in enum and not (isinstance(value, str) and value.startswith(
            UNMAPPED_PREFIX) and f"{UNMAPPED_PREFIX}<value>" in enum):
        return f"{value!r} is not a valid value (valid: {', '.join(enum)})"
    expected = _PYTHON_TYPES[ftype]
    if not isinstance(value, expected) or (ftype in ("integer", "number")
                                           and isinstance(value, bool)):
        return f"{value!r} is not a {ftype} value"
    return None


def _compile_source(source: dict[str, Any]) -> Source:
    return Source(
        column=source.get("column"), constant=source.get("value", NO_VALUE),
        values={str(k): v for k, v in source["values"].items()} if "values" in source else None,
        patterns=tuple((compile_pattern(p["match"]), p["value"])
                       for p in source.get("patterns", [])),
        default=source.get("default", NO_VALUE))


def _compile(doc: Document) -> CsvMapping:
    spec = doc.data["spec"]
    rules = []
    snaps = spec.get("snapshots")
    for name, rule in spec["fields"].items():
        ftype = _field_type(name, rule) or "string"
        if snaps:
            merge = snapshot_merge(name, rule)
        else:
            merge = rule.get("merge", "collect" if ftype == "string[]" else "same")
        enum = FIELDS[name].enum if name in FIELDS else None
        sources = rule.get("firstOf", [rule])
        rules.append(FieldRule(name, ftype, tuple(_compile_source(s) for s in sources),
                               merge, rule.get("required", False), rule.get("split"), enum))
    csv = spec.get("csv", {})
    return CsvMapping(
        name=doc.name, file=doc.file, rules=tuple(rules), delimiter=csv.get("delimiter", ","),
        quotechar=csv.get("quotechar", '"'), encoding=csv.get("encoding", "utf-8"),
        archive_member=csv.get("archiveMember"), time_zone=spec.get("timeZone"),
        date_formats=tuple(spec.get("dateFormats", ())), group_by=spec.get("groupBy"),
        kind=doc.data["kind"], null_values=frozenset(csv.get("nullValues", ())),
        snapshots=SnapshotRules(snaps["recordKind"], tuple(snaps["orderBy"]),
                                tuple(snaps["track"]), snaps.get("at", "updated_at"))
        if snaps else None)
