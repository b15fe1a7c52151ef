"""People named in policies -> the id Jira assigns by: accountId on Cloud, user name on DC.

Policies name people the way admins know them (`duty.manager`, an e-mail address, a display
name), the same on ServiceNow and Jira. Jira Cloud assigns only by accountId, so a name is
looked up once through user search (as the `jira` client's `assign_issue` does): the search
must find exactly one user, or exactly one of its results must match by accountId, e-mail,
e-mail local part or display name; anything else is a clear failure, never a guess.
"""

from __future__ import annotations

import re
from typing import Any

from csi_rules_jira.site import SiteInfo
from csi_rules_jira.transport import Transport

_ACCOUNT_ID = re.compile(r"^(\d+:)?[0-9a-z-]{20,}$", re.IGNORECASE)


class UnknownUser(Exception):
    """No single Jira user matches the name a policy gave."""


def _names(user: dict[str, Any]) -> set[str]:
    email = str(user.get("emailAddress") or "")
    found = {str(user.get(k) or "") for k in ("accountId", "name", "key", "displayName")}
    found |= {email, email.split("@", 1)[0]}
    return {n.casefold() for n in found if n}


def resolve(transport: Transport, site: SiteInfo, who: str, cache: dict[str, str]) -> str:
    """The id to assign `who` by; raises UnknownUser when none or several users match."""
    if site.deployment != "cloud" or _ACCOUNT_ID.match(who):
        return who
    if who not in cache:
        found: Any = transport.read(f"{site.api}/user/search", {"query": who, "maxResults": 50})
        wanted = who.casefold()
        candidates = [u for u in (found or []) if isinstance(u, dict) and u.get("accountId")]
        exact = [u for u in candidates if wanted in _names(u)]
        if not exact and len(candidates) == 1:
            exact = candidates  # Jira's own search names one person (Cloud hides most e-mails)
        if len(exact) != 1:
            what = "no Jira user" if not exact else f"{len(exact)} Jira users"
            raise UnknownUser(f"{what} match '{who}' exactly (by accountId, e-mail or display "
                              "name); name the person by accountId or e-mail")
        cache[who] = str(exact[0]["accountId"])
    return cache[who]
