"""The runner config: YAML, checked against its JSON Schema, every problem as file:line:col.

Paths in the file (policy directories, the state database) are relative to the file itself,
so a config can be checked in next to its policies and run from anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from csi_rules.errors import PolicyError, UsageError
from csi_rules.findings import Finding
from csi_rules.policy.loader import Document, load_text
from csi_rules.runtime.backlog import DEFAULT_BACKLOG, BacklogMode
from csi_rules.runtime.config_schema import CONFIG_SCHEMA
from csi_rules.runtime.postgres_config import StoreConfig, store_config
from csi_rules.sla.durations import parse_duration
from csi_rules.suggest import unknown_name

DEFAULT_DATABASE = "csi-rules-state.db"
_VALIDATOR = Draft202012Validator(CONFIG_SCHEMA)


class ConfigError(PolicyError):
    """A runner config that does not validate; carries every finding (printed like policies)."""


@dataclass(frozen=True)
class AdapterConfig:
    name: str
    type: str
    kinds: tuple[str, ...]
    fields: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    where: str = ""  # "file:line:col" of the adapter's settings, for errors found later


@dataclass(frozen=True)
class ChannelConfig:
    """A notification channel: which transport, with which settings (credentials by env/file)."""

    name: str
    transport: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    where: str = ""  # "file:line:col" of the channel, for errors found later


@dataclass(frozen=True)
class WebhookConfig:
    adapter: str
    secret_env: str = ""
    secret_file: str = ""


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 1 << 20
    webhooks: Mapping[str, WebhookConfig] = field(default_factory=dict)
    gate_token: WebhookConfig | None = None  # the /v1/gate bearer token's env var or file
    ops_host: str = "127.0.0.1"
    ops_port: int | None = None  # /healthz and /metrics on their own port when set
    limits: Mapping[str, float] = field(default_factory=dict)  # headerTimeout, ... (raw keys)


@dataclass(frozen=True)
class RunnerConfig:
    """Everything `csi-rules run` and `serve` need; paths already resolved."""

    policies: tuple[str, ...]
    adapters: tuple[AdapterConfig, ...]
    database: str
    poll_interval: float = 60.0
    reload_check: float = 0.0
    batch_size: int = 200
    max_attempts: int = 3
    retry_after: float = 300.0
    backlog: BacklogMode = DEFAULT_BACKLOG
    engine: str = "compiled"
    verify_with: str | None = None  # a second engine checking a sample of live decisions
    verify_every: int = 10
    store: StoreConfig = field(default_factory=StoreConfig)  # state.store: PostgreSQL
    server: ServerConfig = field(default_factory=ServerConfig)
    source: str = ""
    channels: Mapping[str, ChannelConfig] = field(default_factory=dict)

    def adapter(self, name: str) -> AdapterConfig:
        for adapter in self.adapters:
            if adapter.name == name:
                return adapter
        raise UsageError(unknown_name("adapter", name, [a.name for a in self.adapters]))


def _schema_findings(doc: Document) -> list[Finding]:
    out = []
    for error in _VALIDATOR.iter_errors(doc.data):
        pointer = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            extra = sorted(set(error.instance) - set(allowed), key=str)[0]  # YAML keys may be numbers
            out.append(doc.finding((*pointer, extra), unknown_name("key", str(extra), allowed)))
        elif error.validator == "required":
            out.append(doc.finding(pointer, str(error.message).replace(
                "is a required property", "is required")))
        else:
            out.append(doc.finding(pointer, str(error.message)))
    return sorted(out)


def _semantic_findings(doc: Document) -> list[Finding]:
    out: list[Finding] = []
    data = doc.data
    names = [a["name"] for a in data["adapters"]]
    for i, name in enumerate(names):
        if name in names[:i]:
            out.append(doc.finding(("adapters", i, "name"), f"duplicate adapter name {name!r}"))
    verify = data.get("verify", {}).get("with")
    if verify is not None and verify == data.get("engine", "compiled"):
        out.append(doc.finding(("verify", "with"), f"verify.with must name another engine than "
                                                   f"the deciding one ({verify!r})"))
    for key in ("pollInterval", "reloadCheck"):
        if key in data:
            try:
                parse_duration(data[key])
            except ValueError as exc:
                out.append(doc.finding((key,), str(exc)))
    if "retryAfter" in data.get("actions", {}):
        try:
            parse_duration(data["actions"]["retryAfter"])
        except ValueError as exc:
            out.append(doc.finding(("actions", "retryAfter"), str(exc)))
    hooks = data.get("server", {}).get("webhooks", {})
    for source, hook in hooks.items():
        if hook["adapter"] not in names:
            out.append(doc.finding(("server", "webhooks", source, "adapter"),
                                   unknown_name("adapter", hook["adapter"], names)))
        if ("secretEnv" in hook) == ("secretFile" in hook):
            out.append(doc.finding(("server", "webhooks", source),
                                   "give exactly one of secretEnv or secretFile"))
    gate = data.get("server", {}).get("gate")
    if gate is not None and ("secretEnv" in gate) == ("secretFile" in gate):
        out.append(doc.finding(("server", "gate"), "give exactly one of secretEnv or secretFile"))
    return out


def parse_config(text: str, file: str) -> RunnerConfig:
    """The config in `text` (read from `file`); raises ConfigError with every finding."""
    docs, findings = load_text(text, file)
    if not findings and len(docs) != 1:
        findings = [Finding(file, 1, 1, "", "", "a runner config is exactly one YAML document")]
    if findings:
        raise ConfigError(findings)
    doc = docs[0]
    findings = _schema_findings(doc) or _semantic_findings(doc)
    if findings:
        raise ConfigError(findings)
    wheres = ["{}:{}:{}".format(file, *doc.locate(("adapters", i, "settings")))
              for i in range(len(doc.data["adapters"]))]
    channel_wheres = {name: "{}:{}:{}".format(file, *doc.locate(("channels", name)))
                      for name in doc.data.get("channels", {})}
    return _build(doc.data, Path(file).resolve().parent, file, wheres, channel_wheres)


def load_config(path: str | Path) -> RunnerConfig:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config {path}: {exc}") from None
    return parse_config(text, str(path))


def _build(data: Mapping[str, Any], base: Path, source: str,
           wheres: list[str], channel_wheres: Mapping[str, str]) -> RunnerConfig:
    def resolve(p: str) -> str:
        return str((base / Path(p).expanduser()).resolve())

    server = data.get("server", {})
    actions = data.get("actions", {})
    return RunnerConfig(
        policies=tuple(resolve(p) for p in data["policies"]),
        adapters=tuple(AdapterConfig(a["name"], a.get("type", a["name"]), tuple(a["kinds"]),
                                     tuple(a.get("fields", ())), dict(a.get("settings", {})),
                                     where)
                       for a, where in zip(data["adapters"], wheres, strict=True)),
        database=resolve(data.get("state", {}).get("database", DEFAULT_DATABASE)),
        store=store_config(data.get("state", {}), resolve),
        poll_interval=parse_duration(data.get("pollInterval", 60)),
        reload_check=parse_duration(data.get("reloadCheck", 0)),
        batch_size=int(data.get("batchSize", 200)),
        max_attempts=int(actions.get("maxAttempts", 3)),
        retry_after=parse_duration(actions.get("retryAfter", 300)),
        backlog=data.get("backlog", DEFAULT_BACKLOG),
        engine=data.get("engine", "compiled"),
        verify_with=data.get("verify", {}).get("with"),
        verify_every=int(data.get("verify", {}).get("every", 10)),
        server=ServerConfig(
            host=server.get("host", "127.0.0.1"), port=int(server.get("port", 8080)),
            max_body_bytes=int(server.get("maxBodyBytes", 1 << 20)),
            webhooks={k: WebhookConfig(v["adapter"], v.get("secretEnv", ""),
                                       resolve(v["secretFile"]) if "secretFile" in v else "")
                      for k, v in server.get("webhooks", {}).items()},
            gate_token=(WebhookConfig("", server["gate"].get("secretEnv", ""),
                                      resolve(server["gate"]["secretFile"])
                                      if "secretFile" in server["gate"] else "")
                        if "gate" in server else None),
            ops_host=server.get("ops", {}).get("host", "127.0.0.1"),
            ops_port=server["ops"]["port"] if "ops" in server else None,
            limits=dict(server.get("limits", {}))),
        source=source,
        channels={name: ChannelConfig(name, c["transport"], _resolve_files(c.get("settings", {}),
                                                                           resolve),
                                      channel_wheres.get(name, ""))
                  for name, c in data.get("channels", {}).items()},
    )


def _resolve_files(settings: Mapping[str, Any], resolve: Any) -> dict[str, Any]:
    """Secret and CA files of a channel are relative to the config file, like its paths."""
    return {k: resolve(v) if k.endswith("_file") and isinstance(v, str) else v
            for k, v in settings.items()}
