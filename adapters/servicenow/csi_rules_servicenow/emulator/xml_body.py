"""JSON answers written as XML, for clients that send `Accept: application/xml`.

The shape is the one in batch-api.md's example answer,
`<?xml version="1.0" encoding="UTF-8"?><response><result><user_name/></result></response>`:
one element per field, empty values as empty elements, a reference as its `link`/`value`
children. A list answer repeats `<result>` once per record (pk: how instances write lists).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

XML_TYPE = "application/xml;charset=UTF-8"


def to_xml(payload: Any) -> bytes:
    root = Element("response")
    if isinstance(payload, dict):
        for key, value in payload.items():
            _add(root, key, value)
    else:
        _fill(root, payload)
    body = tostring(root, encoding="unicode").replace(" />", "/>")  # markup only: text escapes <
    return ('<?xml version="1.0" encoding="UTF-8"?>' + body).encode("utf-8")


def _add(parent: Element, name: str, value: Any) -> None:
    if isinstance(value, list):  # a list repeats its element name: <result>..</result><result>
        for item in value:
            _add(parent, name, item)
        return
    _fill(SubElement(parent, name), value)


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _add(element, key, item)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)
