"""The validation pipeline: YAML → document structure → schema → semantic checks.

Every layer reports all of its findings; a document that fails one layer is not handed to the
next (its later findings would only be noise).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csi_rules.errors import PolicyError
from csi_rules.findings import Finding
from csi_rules.plugins import Plugins
from csi_rules.policy.action_conflicts import conflict_findings
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.loader import Document, iter_policy_files, load_text
from csi_rules.policy.model import PolicySet
from csi_rules.policy.schema import API_VERSION, document_schema
from csi_rules.policy.schema_verdict import SchemaVerdict
from csi_rules.suggest import unknown_name

if TYPE_CHECKING:  # imported when a document is not certainly valid (start-up time)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@dataclass
class Report:
    """Outcome of validating some paths: the documents that passed and every finding."""

    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    well_formed: list[Document] = field(default_factory=list)  # passed structure and schema
    files: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def _structure(doc: Document, plugins: Plugins) -> list[Finding]:
    data = doc.data
    if not isinstance(data, dict):
        return [doc.finding((), f"a policy document must be a mapping, got {type(data).__name__}")]
    out = []
    if data.get("apiVersion") != API_VERSION:
        got = data.get("apiVersion")
        out.append(doc.finding(("apiVersion",), f"apiVersion must be {API_VERSION!r}"
                               + (f" (got {got!r})" if got is not None else " (missing)")))
    kind = data.get("kind")
    if not isinstance(kind, str):
        out.append(doc.finding((), "missing 'kind' " f"(one of {', '.join(plugins.kinds)})"))
    elif kind not in plugins.kinds:
        out.append(doc.finding(("kind",), unknown_name("policy kind", kind, plugins.kinds)))
    if not isinstance(data.get("metadata"), dict) or "name" not in data["metadata"]:
        out.append(doc.finding(("metadata",), "missing metadata.name (every policy needs a name)"))
    if not isinstance(data.get("spec"), dict):
        out.append(doc.finding(("spec",), "missing 'spec' mapping"))
    return out


def kind_schema(kind: str, plugins: Plugins) -> dict[str, Any]:
    """The document schema of `kind` with every registered action type."""
    kind_obj = plugins.kinds.get(kind)
    actions = [plugins.actions.get(n) for n in plugins.actions]
    return document_schema(kind, kind_obj.spec_schema(), actions, kind_obj.description)


def _validator(kind: str, plugins: Plugins) -> Draft202012Validator:
    """jsonschema's validator of `kind`, which says what is wrong; made (and jsonschema
    imported) only for a document the quick walk does not call valid."""
    key = ("validator", kind)
    if key not in plugins.cache:
        from jsonschema import Draft202012Validator

        plugins.cache[key] = Draft202012Validator(_kind_schema(kind, plugins))
    return plugins.cache[key]


def _kind_schema(kind: str, plugins: Plugins) -> dict[str, Any]:
    key = ("schema", kind)
    if key not in plugins.cache:
        plugins.cache[key] = kind_schema(kind, plugins)
    return plugins.cache[key]


def _verdict(kind: str, plugins: Plugins) -> SchemaVerdict:
    key = ("schema verdict", kind)
    if key not in plugins.cache:
        plugins.cache[key] = SchemaVerdict(_kind_schema(kind, plugins),
                                           lambda: _validator(kind, plugins))
    return plugins.cache[key]


def _schema_message(error: ValidationError) -> tuple[tuple[Any, ...], str]:
    pointer = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.schema, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed), key=str)  # type: ignore[arg-type]  # a dict; YAML keys may be numbers
        in_actions = len(pointer) >= 2 and pointer[-2] == "actions"
        what = "action type" if in_actions else "key"
        return (*pointer, extra[0]), unknown_name(what, str(extra[0]), allowed)
    if error.validator == "required":
        return pointer, str(error.message).replace("is a required property", "is required")
    if error.validator in ("minProperties", "maxProperties") and len(pointer) >= 2 \
            and pointer[-2] == "actions":
        return pointer, "an action is a mapping with exactly one key, the action type"
    return pointer, str(error.message)


def _schema(doc: Document, plugins: Plugins) -> list[Finding]:
    errors = _verdict(doc.data["kind"], plugins).errors(doc.data)  # usually none, no jsonschema
    out = []
    for error in sorted(errors, key=lambda e: doc.locate(tuple(e.absolute_path))):
        pointer, message = _schema_message(error)
        out.append(doc.finding(pointer, message))
    return out


def _reference_findings(report: Report) -> list[Finding]:
    """Names one document uses that another must define (calendars, for now)."""
    named = [(doc, list(_calendar_references(doc.data["spec"], ("spec",))))
             for doc in report.well_formed]
    if not any(references for _, references in named):
        return []  # without importing the calendars (start-up of commands that need none)
    from csi_rules.calendars import BUILTIN_CALENDARS

    calendars = set(BUILTIN_CALENDARS) | {d.name for d in report.documents
                                          if d.data["kind"] == "Calendar"}
    out: list[Finding] = []
    for doc, references in named:
        found = [doc.finding(pointer, unknown_name("calendar", name, calendars))
                 for pointer, name in references if name not in calendars]
        if found and doc in report.documents:
            report.documents.remove(doc)
        out.extend(found)
    return out


def _calendar_references(node: Any, pointer: tuple[Any, ...]) -> Iterable[tuple[tuple[Any, ...], str]]:
    """Every `calendar: NAME` (and `defaultCalendar`) inside a spec, with its pointer."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("calendar", "defaultCalendar") and isinstance(value, str):
                yield (*pointer, key), value
            else:
                yield from _calendar_references(value, (*pointer, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _calendar_references(item, (*pointer, i))


def validate_paths(paths: Iterable[str], plugins: Plugins) -> Report:
    """Run every layer over every file under `paths`; never raises for bad input."""
    report = Report()
    ctx = CheckContext(plugins.actions)
    names: dict[str, Document] = {}
    for path in iter_policy_files(list(paths)):
        report.files += 1
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report.findings.append(Finding(str(path), 1, 1, "", "", f"cannot read: {exc}"))
            continue
        docs, findings = load_text(text, str(path))
        report.findings.extend(findings)
        if findings:
            continue
        for doc in docs:
            layer = _structure(doc, plugins) or _schema(doc, plugins)
            if not layer:
                report.well_formed.append(doc)
                layer = plugins.kinds.get(doc.data["kind"]).check(doc, ctx)
                first = names.setdefault(doc.name, doc)
                if first is not doc:
                    layer.insert(0, doc.finding(("metadata", "name"),
                                                f"duplicate policy name {doc.name!r} (also in "
                                                f"{first.file}:{first.locate(())[0]})"))
            report.findings.extend(layer)
            if not any(f.severity == "error" for f in layer):
                report.documents.append(doc)
    report.findings.extend(_reference_findings(report))
    report.findings.extend(conflict_findings(report.documents, plugins))
    if report.files == 0:
        report.findings.append(Finding(", ".join(map(str, paths)), 1, 1, "", "",
                                       "no policy files (*.yaml, *.yml) found"))
    elif not report.documents and not report.errors:  # e.g. an empty file: say so, not "ok"
        report.findings.append(Finding(", ".join(map(str, paths)), 1, 1, "", "",
                                       "no policies: the files hold no policy documents",
                                       "warning"))
    report.findings.sort()
    return report


def load_policy_set(paths: Iterable[str], plugins: Plugins) -> PolicySet:
    """Validated policies from `paths`; raises PolicyError carrying every error finding."""
    report = validate_paths(paths, plugins)
    if report.errors:
        raise PolicyError(report.errors)
    policies = [plugins.kinds.get(d.data["kind"]).build(d) for d in report.documents]
    return PolicySet(policies, [f for f in report.findings if f.severity != "error"])
