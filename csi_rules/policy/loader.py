"""Read policy YAML safely: every document, with duplicate keys caught and a line for every node.

We compose the node tree (which keeps marks) and construct plain Python data from it with the
safe constructor, so no YAML tag can build arbitrary objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from csi_rules.conditions.ast import Pointer
from csi_rules.errors import UsageError
from csi_rules.findings import Finding
from csi_rules.safe_json import MAX_DEPTH, MAX_INTEGER_DIGITS


class PolicyLoader(yaml.SafeLoader):
    """Safe loader that keeps dates and times as the strings the author wrote.

    Plain YAML would turn `2026-03-01T09:00:00Z` into a datetime and `2026-12-25` into a date;
    schemas and checks want the text (and its offset) exactly as written.
    """


PolicyLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastComposer(getattr(yaml, "CSafeLoader", PolicyLoader)):  # type: ignore[misc]  # C or not
    """Composes the node tree with LibYAML when PyYAML has it (~10x faster than the pure
    Python reader, most of a `validate` run); same resolvers, same marks on every node. A file
    it refuses is composed again by PolicyLoader, whose error messages the findings quote."""


_FastComposer.yaml_implicit_resolvers = PolicyLoader.yaml_implicit_resolvers


_INT_BOUND = 10 ** (MAX_INTEGER_DIGITS - 1)


def _bounded_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """An integer of at most MAX_INTEGER_DIGITS - 1 decimal digits, whatever base it is written
    in (0x.., 0b.., 0o..): Python refuses to convert a decimal one past 4,300 digits with a bare
    ValueError, which would escape as a traceback, so a long literal is refused unconverted."""
    literal = node.value.lstrip("+-").replace("_", "")
    value = None
    if len(literal) < 1000:  # converts quickly in any base, within Python's digit limit
        value = int(yaml.SafeLoader.construct_yaml_int(loader, node))
        if abs(value) < _INT_BOUND:
            return value
    digits = len(str(abs(value))) if value is not None else len(literal)
    raise yaml.constructor.ConstructorError(
        None, None, f"integer of {digits} digits is out of range (at most "
        f"{MAX_INTEGER_DIGITS - 1} digits)", node.start_mark)


PolicyLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)


@dataclass
class Document:
    """One YAML document of a policy file, with the position of each node by JSON pointer."""

    file: str
    index: int
    data: Any
    marks: dict[Pointer, tuple[int, int]] = field(default_factory=dict)

    def locate(self, pointer: Pointer) -> tuple[int, int]:
        """1-based (line, col) of the deepest node on `pointer` that has a position."""
        for end in range(len(pointer), -1, -1):
            mark = self.marks.get(tuple(pointer[:end]))
            if mark:
                return mark
        return (1, 1)

    @property
    def name(self) -> str:
        meta = self.data.get("metadata") if isinstance(self.data, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) else ""

    def finding(self, pointer: Pointer, message: str, severity: str = "error") -> Finding:
        line, col = self.locate(pointer)
        path = ".".join(str(p) for p in pointer)
        return Finding(self.file, line, col, self.name, path, message, severity)  # type: ignore[arg-type]


MAX_NODES = 200_000
"""Nodes per document after expanding aliases; a few lines of anchors can otherwise expand
into billions of nodes (a "billion laughs" file) and exhaust memory during validation."""


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    """A node nested deeper than MAX_DEPTH (the limit records have too): past a few hundred
    levels the schema check and the condition compiler would exhaust Python's stack."""

    def __init__(self, node: yaml.Node):
        self.node = node


def _index(node: yaml.Node, pointer: Pointer, doc: Document, findings: list[Finding],
           budget: list[int] | None = None) -> None:
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    if len(pointer) > MAX_DEPTH:
        raise _TooDeep(node)
    doc.marks[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                findings.append(Finding(doc.file, line, key_node.start_mark.column + 1, "",
                                        ".".join(map(str, (*pointer, key))),
                                        f"duplicate key {key!r} (first defined on line {seen[key]})"))
            else:
                seen[key] = line
            _index(value_node, (*pointer, key), doc, findings, budget)
            doc.marks[(*pointer, key)] = (line, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*pointer, i), doc, findings, budget)


def load_text(text: str, file: str) -> tuple[list[Document], list[Finding]]:
    """All documents in `text`; YAML errors and duplicate keys come back as findings."""
    docs: list[Document] = []
    findings: list[Finding] = []
    try:
        try:
            nodes = list(yaml.compose_all(text, Loader=_FastComposer))
        except yaml.YAMLError:  # again in Python, for its messages (what users are shown)
            nodes = list(yaml.compose_all(text, Loader=PolicyLoader))
    except RecursionError:  # LibYAML refuses past 1,000 levels; Python's composer recurses
        return [], [Finding(file, 1, 1, "", "", f"YAML nested deeper than {MAX_DEPTH} levels")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if isinstance(exc, yaml.reader.ReaderError):  # a control character: no mark, a position
            line = text.count("\n", 0, exc.position) + 1
            col = exc.position - text.rfind("\n", 0, exc.position)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [], [Finding(file, line, col, "", "", f"YAML syntax error: {problem}")]
    # one constructor for every document: a loader made per document re-reads the whole text
    # (the YAML reader checks every character), which made validation quadratic in file size
    constructor = PolicyLoader("")
    for i, node in enumerate(nodes):
        if node is None or _empty_document(node):
            continue
        doc = Document(file, i, None)
        try:
            _index(node, (), doc, findings)
        except _TooLarge:
            findings.append(Finding(file, node.start_mark.line + 1, 1, "", "",
                                    f"document too large: more than {MAX_NODES} nodes once "
                                    "YAML aliases are expanded"))
            continue
        except _TooDeep as deep:
            findings.append(Finding(file, deep.node.start_mark.line + 1,
                                    deep.node.start_mark.column + 1, "", "",
                                    f"nested deeper than {MAX_DEPTH} levels"))
            continue
        try:
            doc.data = constructor.construct_document(node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark else doc.locate(())
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            findings.append(Finding(file, line, col, "", "", f"YAML error: {problem}"))
            continue
        docs.append(doc)
    return docs, findings


def _empty_document(node: yaml.Node) -> bool:
    """A document with nothing in it (a stream ending in `---`, or `--- ---`), as multi-document
    YAML tools write them: skipped, not an error; an explicit `null` still is one."""
    return (isinstance(node, yaml.ScalarNode) and node.value == ""
            and node.tag == "tag:yaml.org,2002:null")


def iter_policy_files(paths: list[str]) -> Iterator[Path]:
    """Files named on the command line, and *.yaml/*.yml under named directories (sorted).

    Files under a `tests/` folder are policy unit tests, not policies, and are skipped here.
    A file found in a named directory that is (or sits under) a symbolic link leading out of
    that directory is refused, unread: a policy repository must not make us read
    `/proc/self/environ` and echo it in a YAML error.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            root = path.resolve()
            for found in sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")]):
                target = found.resolve()
                if not target.is_relative_to(root):
                    raise UsageError(f"{found}: a symbolic link leading outside {path} "
                                     "(not read; name the file itself to use it)")
                rel = found.relative_to(path).parts
                if "tests" in rel[:-1] or found.name.endswith((".test.yaml", ".test.yml")):
                    continue
                if "mappings" in rel[:-1]:
                    continue
                yield found
        else:
            yield path
