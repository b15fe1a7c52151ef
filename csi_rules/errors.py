"""One exception tree; the CLI is the only place that turns these into messages and exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csi_rules.findings import Finding

EXIT_OK = 0
EXIT_NO_GO = 1
EXIT_INVALID = 2
EXIT_UNREACHABLE = 3
EXIT_INTERNAL = 4


class CsiRulesError(Exception):
    """Base of every error a user can cause; `exit_code` is what the CLI returns for it."""

    exit_code = EXIT_INVALID


class PolicyError(CsiRulesError):
    """Policy files that do not validate; carries every finding, not just the first."""

    def __init__(self, findings: Sequence[Finding]):
        self.findings = list(findings)
        first = self.findings[0].format() if self.findings else "invalid policy"
        more = f" (and {len(self.findings) - 1} more)" if len(self.findings) > 1 else ""
        super().__init__(first + more)


class RecordError(CsiRulesError):
    """A record that does not fit the record model; the message names the field."""


class UsageError(CsiRulesError):
    """Bad command-line input (missing file, bad timestamp, unknown option value)."""


class PluginError(CsiRulesError):
    """A plugin that registers a duplicate name or breaks the hook contract."""


class EngineError(CsiRulesError):
    """The rules engine failed on input that passed validation: a bug or a crashed worker."""

    exit_code = EXIT_INTERNAL


class AdapterError(CsiRulesError):
    """A platform call failed; never carries credentials, headers or request bodies."""

    def __init__(self, message: str, *, system: str = "", status: int | None = None):
        self.system = system
        self.status = status
        super().__init__(message)


class AdapterUnavailable(AdapterError):
    """The platform could not be reached or kept failing after retries."""

    exit_code = EXIT_UNREACHABLE


class AdapterAuthError(AdapterError):
    """The platform refused our credentials (401/403)."""


class RecordNotFound(AdapterError):
    """The platform has no such record (404)."""
