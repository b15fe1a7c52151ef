"""Notify actions against the runner config's channels, offline: `validate --config` and `run`
refuse a policy that names a channel no configuration defines, a template that cannot render,
an event the channel's transport cannot carry out, or a rota no document defines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator

from csi_rules.findings import Finding
from csi_rules.notify.template import template_problems
from csi_rules.plugins import Plugins
from csi_rules.policy.capability_check import document_actions
from csi_rules.policy.loader import Document
from csi_rules.suggest import unknown_name


def settings_problems(plugins: Plugins, channels: Mapping[str, Any]) -> list[str]:
    """Each channel's transport exists and its settings meet the transport's schema."""
    out = []
    for name, spec in channels.items():
        where = f"{spec.where}: " if spec.where else ""
        if spec.transport not in plugins.transports:
            out.append(f"{where}channel {name}: " + unknown_name(
                "notification transport", spec.transport, plugins.transports.names()))
            continue
        schema = dict(plugins.transports.get(spec.transport).settings_schema)
        for error in Draft202012Validator(schema).iter_errors(dict(spec.settings)):
            path = ".".join(map(str, error.absolute_path))
            out.append(f"{where}channel {name}: settings{'.' + path if path else ''}: "
                       f"{error.message}")
    return out


def channel_findings(docs: Iterable[Document], plugins: Plugins,
                     channels: Mapping[str, Any]) -> list[Finding]:
    docs = list(docs)
    rotas = {d.name for d in docs if d.data.get("kind") == "OnCallRota"}
    out: list[Finding] = []
    for doc in docs:
        for pointer, type_, params in document_actions(doc, plugins):
            if type_ == "notify":
                out += [doc.finding((*pointer, *p), m, severity)
                        for p, m, severity in _problems(params, plugins, channels, rotas)]
    return sorted(set(out))


def _problems(params: Mapping[str, Any], plugins: Plugins, channels: Mapping[str, Any],
              rotas: set[str]) -> Iterable[tuple[tuple[str, ...], str, str]]:
    for key in ("message", "subject"):
        for problem in template_problems(str(params.get(key, ""))):
            yield (key,), problem, "error"
    targets = params.get("to") or ()
    for name in [targets] if isinstance(targets, str) else targets:
        if name.startswith("rota:"):
            rota = name[5:].partition(":")[0]
            if rota not in rotas:
                yield ("to",), unknown_name("on-call rota", rota, sorted(rotas)), "error"
    if not channels:  # the adapters' declarations warn: recorded as skipped
        return
    name = str(params.get("channel", "email"))
    if name not in channels:
        yield ("channel",), unknown_name("notification channel", name, sorted(channels)), \
            "error"
        return
    transport = channels[name].transport
    if transport in plugins.transports:
        events = plugins.transports.get(transport).events
        event = params.get("event", "trigger")
        if event not in events:
            yield ("event",), (f"channel {name} ({transport}) cannot carry out event {event} "
                               f"(it carries out: {', '.join(events)})"), "error"
