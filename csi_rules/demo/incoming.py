"""The ticket the demo opens before its cycle: a P3 network incident nobody has taken, opened
45 minutes before the cycle, so the shipped network-on-call ladder (policies/escalation/)
e-mails and pages the engineer its rota has on call. Opened through the ServiceNow Table API
of the emulator, as a caller's ticket would arrive; the seeds' own escalations are long past.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

AGE = timedelta(minutes=45)  # past the ladder's first rung (30m), before its second (1h)
GROUP = "Network Operations"
AUTH = ("admin", "admin")  # the emulator's demo login (see live.DEMO_SECRETS)


def open_network_incident(url: str, now: datetime) -> str:
    """Insert the incident on the ServiceNow emulator at `url`; its number."""
    with requests.Session() as http:
        http.auth = AUTH
        found = http.get(f"{url}/api/now/table/sys_user_group", timeout=10,
                         params={"sysparm_query": f"name={GROUP}", "sysparm_fields": "sys_id"})
        found.raise_for_status()
        group = found.json()["result"][0]["sys_id"]
        opened = (now - AGE).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        created = http.post(f"{url}/api/now/table/incident", timeout=10, json={
            "short_description": "Branch office Leipzig: uplink flapping, VoIP calls dropping",
            "impact": "2", "urgency": "2", "assignment_group": group, "opened_at": opened,
            "category": "network", "contact_type": "phone"})
        created.raise_for_status()
        return str(created.json()["result"]["number"])
