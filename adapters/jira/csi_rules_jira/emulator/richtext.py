"""Rich text as Jira gives it back: ADF (v3), wiki markup (v2) and HTML (`renderedFields`).

A comment written in ADF keeps its marks and lists: the ADF document is stored as sent and
rendered to wiki markup for REST v2 and to HTML for `expand=renderedFields`.
"""

from __future__ import annotations

from html import escape
from typing import Any

_WIKI_MARKS = {"strong": "*", "em": "_", "strike": "-", "underline": "+"}
_HTML_MARKS = {"strong": "b", "em": "em", "strike": "del", "underline": "u", "code": "code"}


def to_wiki(node: Any, bullet: str = "") -> str:
    """ADF to Jira wiki markup (what REST v2 returns for a comment written in ADF)."""
    if not isinstance(node, dict):
        return str(node or "")
    kind, inner = node.get("type"), node.get("content") or []
    if kind == "text":
        text = str(node.get("text", ""))
        for mark in node.get("marks") or ():
            name = mark.get("type")
            if name == "code":
                text = "{{" + text + "}}"
            elif name == "link":
                text = f"[{text}|{(mark.get('attrs') or {}).get('href', '')}]"
            elif name in _WIKI_MARKS:
                text = _WIKI_MARKS[name] + text + _WIKI_MARKS[name]
        return text
    if kind == "hardBreak":
        return "\n"
    if kind in ("bulletList", "orderedList"):
        sign = bullet + ("*" if kind == "bulletList" else "#")
        return "\n".join(to_wiki(item, sign) for item in inner)
    if kind == "listItem":
        parts = [to_wiki(c, bullet) for c in inner]
        return "\n".join(p if p.startswith(("*", "#")) else f"{bullet} {p}" for p in parts)
    if kind == "heading":
        level = (node.get("attrs") or {}).get("level", 1)
        return f"h{level}. " + "".join(to_wiki(c) for c in inner)
    if kind == "codeBlock":
        return "{code}" + "".join(to_wiki(c) for c in inner) + "{code}"
    if kind == "doc":
        return "\n\n".join(to_wiki(c) for c in inner)
    return "".join(to_wiki(c, bullet) for c in inner)


def to_html(node: Any) -> str:
    """ADF, or plain text, to the HTML Jira puts in `renderedFields`."""
    if node is None:
        return ""
    if isinstance(node, str):
        return "".join(f"<p>{escape(p).replace(chr(10), '<br/>')}</p>"
                       for p in node.split("\n\n") if p)
    kind, inner = node.get("type"), node.get("content") or []
    body = "".join(to_html(c) for c in inner)
    if kind == "text":
        text = escape(str(node.get("text", "")))
        for mark in node.get("marks") or ():
            name = mark.get("type")
            if name == "link":
                href = escape(str((mark.get("attrs") or {}).get("href", "")), quote=True)
                text = f'<a href="{href}">{text}</a>'
            elif name in _HTML_MARKS:
                text = f"<{_HTML_MARKS[name]}>{text}</{_HTML_MARKS[name]}>"
        return text
    tags = {"paragraph": "p", "bulletList": "ul", "orderedList": "ol", "listItem": "li",
            "codeBlock": "pre", "blockquote": "blockquote"}
    if kind == "hardBreak":
        return "<br/>"
    if kind == "heading":
        level = (node.get("attrs") or {}).get("level", 1)
        return f"<h{level}>{body}</h{level}>"
    if kind in tags:
        return f"<{tags[kind]}>{body}</{tags[kind]}>"
    return body
