"""Reading Jira field values (options, users, groups, lists, ADF) as plain scalars."""

from __future__ import annotations

from typing import Any

from csi_rules_jira.adf import adf_to_text

_LEVELS = {
    "critical": 1, "extensive": 1, "widespread": 1, "high": 1, "1": 1,
    "significant": 2, "medium": 2, "moderate": 2, "2": 2,
    "low": 3, "minor": 3, "localized": 3, "localised": 3, "3": 3,
}
_RISK = {"low": "low", "medium": "moderate", "moderate": "moderate", "high": "high",
         "critical": "very_high", "very high": "very_high", "very_high": "very_high"}
_CHANGE_TYPES = ("standard", "normal", "emergency")


def scalar(value: Any) -> Any:
    """An option's value, a user's id, a group's name, an ADF doc's text, or the value itself."""
    if isinstance(value, dict):
        if value.get("type") == "doc":
            return adf_to_text(value)
        for key in ("value", "accountId", "name", "key", "displayName", "id"):
            if value.get(key) not in (None, ""):
                return value[key]
        return None
    if isinstance(value, list):
        return [scalar(v) for v in value]
    return value


def user_id(user: Any) -> str | None:
    """accountId on Cloud, name on Data Center."""
    if not isinstance(user, dict):
        return None
    return user.get("accountId") or user.get("name") or user.get("key")


def level(value: Any) -> int | None:
    """Impact/urgency options ('High', 'Significant', 'Minor', '2') as 1 (high) .. 3 (low)."""
    text = scalar(value)
    if isinstance(text, int) and 1 <= text <= 3:
        return text
    if text is None:
        return None
    words = str(text).strip().lower().replace("/", " ").split()
    return next((_LEVELS[w] for w in words if w in _LEVELS), None)


def risk(value: Any) -> str | None:
    text = scalar(value)
    return _RISK.get(str(text).strip().lower()) if text is not None else None


def change_type(value: Any) -> str | None:
    text = scalar(value)
    if text is None:
        return None
    lowered = str(text).strip().lower()
    return next((t for t in _CHANGE_TYPES if lowered.startswith(t)), None)


def boolean(value: Any) -> bool | None:
    text = scalar(value)
    if isinstance(text, bool) or text is None:
        return text
    if isinstance(text, list):
        return bool(text)
    return str(text).strip().lower() in ("yes", "true", "y", "1", "required")
