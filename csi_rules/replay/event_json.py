"""Replay events as JSON lines written from parts encoded once: `json.dumps(event.to_json())`,
byte for byte, without a dict per event and its policy and actions encoded again.

A replay of a ticket log writes tens of thousands of events that name a handful of policies
and action lists; encoding those once leaves the event's own texts (its instant, ticket,
explanation, key) to encode, with the encoder json.dumps uses for them.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

from csi_rules.replay.events import ReplayEvent

KEPT = 4096  # policies and action lists kept encoded; starts over when full


def _text(value: Any) -> str:
    return encode_basestring_ascii(value) if type(value) is str else json.dumps(value)


class EventLines:
    """`line(event)` == `json.dumps(event.to_json())`."""

    def __init__(self) -> None:
        # by id(), with the object kept so its id is not reused while the entry lives
        self._policies: dict[int, tuple[Any, str]] = {}
        self._actions: dict[int, tuple[Any, str]] = {}

    def _encoded(self, table: dict[int, tuple[Any, str]], obj: Any, make: Any) -> str:
        found = table.get(id(obj))
        if found is None or found[0] is not obj:
            if len(table) >= KEPT:
                table.clear()
            found = table[id(obj)] = (obj, json.dumps(make(obj)))
        return found[1]

    def line(self, event: ReplayEvent) -> str:
        policy = self._encoded(self._policies, event.policy, lambda p: {
            "name": p.name, "kind": p.kind, "version": p.content_hash})
        actions = self._encoded(self._actions, event.actions,
                                lambda acts: [a.to_json() for a in acts])
        return (f'{{"at": {_text(event.at.isoformat())}, "record": {{"id": '
                f'{_text(event.record_id)}, "label": {_text(event.record_label)}}}, '
                f'"policy": {policy}, "metric": {_text(event.metric)}, "rule": '
                f'{_text(event.rule)}, "outcome": {_text(event.outcome)}, "actions": {actions}, '
                f'"explanation": {_text(event.explanation)}, "source": {_text(event.source)}, '
                f'"key": {_text(event.key)}}}')
