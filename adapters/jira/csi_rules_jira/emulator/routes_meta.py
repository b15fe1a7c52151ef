"""serverInfo, myself, field and issueLinkType: what clients read before anything else."""

from __future__ import annotations

from typing import Any

from csi_rules_jira.emulator.http import Reply, Request
from csi_rules_jira.emulator.render import View
from csi_rules_jira.emulator.store import Site


def server_info(site: Site, req: Request) -> Reply:
    view = View(site, req.base_url, req.version, req.user)
    now = site.clock()
    cloud = site.is_cloud
    return Reply(200, {
        "baseUrl": req.base_url, "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.15",
        "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 15],
        "deploymentType": "Cloud" if cloud else "Server", "buildNumber": 100282,
        "buildDate": view.time(now.replace(hour=0, minute=0, second=0, microsecond=0)),
        "serverTime": view.time(now), "scmInfo": "0" * 40, "serverTitle": site.title,
    })


def myself(site: Site, req: Request) -> Reply:
    view = View(site, req.base_url, req.version, req.user)
    assert req.user is not None
    out: dict[str, Any] = dict(view.user(req.user.account_id) or {})
    out["emailAddress"] = req.user.email
    out["locale"] = "en_US"
    return Reply(200, out)


def fields(site: Site, req: Request) -> Reply:
    out = []
    for f in site.fields.values():
        custom = f["id"].startswith("customfield_")
        clause = [f"cf[{f['id'].split('_')[1]}]", f["name"]] if custom else [f["id"]]
        out.append({"id": f["id"], "key": f["id"], "name": f["name"], "custom": custom,
                    "orderable": True, "navigable": True, "searchable": True,
                    "clauseNames": clause, "schema": dict(f.get("schema", {}))})
    return Reply(200, out)


def link_types(site: Site, req: Request) -> Reply:
    api = f"{req.base_url}/rest/api/{req.version}"
    return Reply(200, {"issueLinkTypes": [
        {**t, "self": f"{api}/issueLinkType/{t['id']}"} for t in site.link_types]})
