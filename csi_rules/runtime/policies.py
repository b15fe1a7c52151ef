"""Hot reload of the policy set: a change on disk is validated before it replaces anything.

A cheap stat signature (path, size, mtime) is checked every time; only when it moves are the
files read and hashed, so touching a file without changing it reloads nothing. A set that does
not validate is reported once (with every finding) and the last good set keeps running.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from csi_rules.errors import PolicyError
from csi_rules.findings import Finding
from csi_rules.plugins import Plugins
from csi_rules.policy.loader import Document, iter_policy_files
from csi_rules.policy.model import PolicySet
from csi_rules.policy.validate import load_policy_set, validate_paths

# What a set must pass beside validation before it replaces the running one: `csi-rules run`
# checks every action against what its adapters carry out, at start and on every reload alike.
PolicyCheck = Callable[[Sequence[Document]], list[Finding]]


@dataclass(frozen=True)
class Reload:
    """What a check found: a new valid set, or a rejected one with its findings."""

    version: str
    policy_set: PolicySet | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.policy_set is not None


def _files(paths: Sequence[str]) -> list[Path]:
    return sorted(set(iter_policy_files(list(paths))))


def stat_signature(paths: Sequence[str]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for path in _files(paths):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def content_version(paths: Sequence[str]) -> str:
    """sha256 over every policy file's path and bytes: the policy set's version."""
    digest = hashlib.sha256()
    for path in _files(paths):
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()


class PolicySource:
    """The policy directories of a config, loaded once and then watched."""

    def __init__(self, paths: Sequence[str], plugins: Plugins, check: PolicyCheck | None = None):
        self.paths = list(paths)
        self.plugins = plugins
        self._check = check
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._checked = ""  # the content last looked at, accepted or not
        self.version = ""  # the running (last good) set's version: what healthz and status show

    def load(self) -> PolicySet:
        """The initial set; raises PolicyError (the runner does not start on a bad set)."""
        self._signature = stat_signature(self.paths)
        version = content_version(self.paths)
        loaded = load_policy_set(self.paths, self.plugins)
        self.version = self._checked = version
        return loaded

    def check(self) -> Reload | None:
        """None when nothing changed since the last load or rejection."""
        signature = stat_signature(self.paths)
        if signature == self._signature:
            return None
        self._signature = signature
        version = content_version(self.paths)
        if version == self._checked:
            return None
        self._checked = version
        if version == self.version:  # back to the running set after a rejected edit
            return None
        report = validate_paths(self.paths, self.plugins)
        errors = report.errors
        if not errors and self._check is not None:
            errors = [f for f in self._check(report.documents) if f.severity == "error"]
        if errors:
            return Reload(version, None, errors)
        try:
            loaded = load_policy_set(self.paths, self.plugins)
        except PolicyError as exc:  # changed again between the two reads
            return Reload(version, None, exc.findings)
        self.version = version
        return Reload(version, loaded)
