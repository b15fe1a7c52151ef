"""Jira-specific error types; all derive from the core's AdapterError tree."""

from __future__ import annotations

from csi_rules.errors import AdapterError


class JiraConfigError(AdapterError):
    """The adapter's config is wrong; the message names the key."""

    def __init__(self, message: str):
        super().__init__(f"jira adapter config: {message}", system="jira")


class WebhookRejected(AdapterError):
    """A webhook delivery failed signature verification or could not be parsed."""

    def __init__(self, message: str):
        super().__init__(f"jira webhook rejected: {message}", system="jira", status=401)
