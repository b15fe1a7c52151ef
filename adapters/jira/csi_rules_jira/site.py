"""What kind of Jira we talk to: Cloud or Data Center, REST version, and the caller's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csi_rules_jira.transport import Transport


@dataclass(frozen=True)
class SiteInfo:
    """Facts about the site and the integration user that change how we call it."""

    deployment: Literal["cloud", "datacenter"]
    version: str
    user_id: str
    time_zone: ZoneInfo

    @property
    def api(self) -> str:
        """REST prefix: v3 (ADF bodies) on Cloud, v2 (plain text) on Data Center."""
        return "/rest/api/3" if self.deployment == "cloud" else "/rest/api/2"

    @property
    def user_key(self) -> str:
        """How users are named in write bodies: `accountId` on Cloud, `name` on Data Center."""
        return "accountId" if self.deployment == "cloud" else "name"


def detect_deployment(transport: Transport) -> tuple[Literal["cloud", "datacenter"], str]:
    """`/rest/api/2/serverInfo` says `deploymentType: Cloud` on Cloud; anything else is DC."""
    info: Any = transport.read("/rest/api/2/serverInfo") or {}
    kind: Literal["cloud", "datacenter"] = (
        "cloud" if str(info.get("deploymentType", "")).lower() == "cloud" else "datacenter")
    return kind, str(info.get("version", ""))


def load_site(transport: Transport, configured: str) -> SiteInfo:
    """Detect (or take the configured) deployment, then read the user's id and time zone."""
    version = ""
    if configured == "auto":
        deployment, version = detect_deployment(transport)
    else:
        deployment = "cloud" if configured == "cloud" else "datacenter"
    api = "/rest/api/3" if deployment == "cloud" else "/rest/api/2"
    me: Any = transport.read(f"{api}/myself") or {}
    user_id = str(me.get("accountId") if deployment == "cloud" else me.get("name") or "")
    try:
        zone = ZoneInfo(str(me.get("timeZone") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return SiteInfo(deployment, version, user_id, zone)
