"""Atlassian Document Format: plain text in (comments on REST v3), plain text out (descriptions)."""

from __future__ import annotations

from typing import Any


def text_to_adf(text: str) -> dict[str, Any]:
    """One paragraph per line block; REST v3 refuses a plain string comment body."""
    paragraphs = [p for p in text.split("\n\n")] or [""]
    content = []
    for para in paragraphs:
        lines = para.split("\n")
        inline: list[dict[str, Any]] = []
        for i, line in enumerate(lines):
            if i:
                inline.append({"type": "hardBreak"})
            if line:
                inline.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": inline})
    return {"type": "doc", "version": 1, "content": content}


def adf_to_text(node: Any) -> str:
    """The text of an ADF document (or a v2 plain string, returned as is)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    inner = "".join(adf_to_text(child) for child in node.get("content") or ())
    if kind == "doc":
        parts = [adf_to_text(child) for child in node.get("content") or ()]
        return "\n\n".join(parts)
    return inner
