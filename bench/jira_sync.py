"""Benchmark: sync 20,000 Jira issues through the emulator, against bare paging in the same run.

    .venv/bin/python bench/jira_sync.py [--issues 20000] [--page-size 100]

Baseline ("bare paging"): one requests.Session POSTing /rest/api/3/search/jql with the same
fields and expand as the adapter, following nextPageToken, parsing JSON and nothing else.
Adapter: JiraAdapter.fetch_records (paging + dedupe ledger + normalization + record
validation). Both talk to the same emulator over loopback; the ratio is what the adapter's
work costs on top of the HTTP round trips. The project is a plain (non-JSM) one: JSM SLAs
and approvals cost one extra request per issue each and are not part of this figure.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

import requests

from csi_rules.adapter import RecordQuery
from csi_rules_jira import adapter as adapter_module
from csi_rules_jira.adapter import JiraAdapter
from csi_rules_jira.config import parse_config
from csi_rules_jira.emulator import JiraEmulator
from csi_rules_jira.normalize import requested_fields

FIELD_MAP = {"impact": "customfield_10050", "urgency": "customfield_10051",
             "assignment_group": "customfield_10060", "service": "customfield_10080"}


def populate(emulator: JiraEmulator, count: int) -> None:
    site = emulator.site
    start = datetime.now(UTC) - timedelta(days=30)
    step = timedelta(days=30) / count
    for i in range(count):
        issue = site.create_issue("OPS", "Bug" if i % 3 else "Task", f"Generated issue {i}",
                                  reporter="5b10a2844c20165700ede21g", created=start + i * step,
                                  priority=("High", "Medium", "Low")[i % 3],
                                  labels=["bench"], components=["API"] if i % 2 else [],
                                  custom={"customfield_10051": "High",
                                          "customfield_10080": "Payments"})
        issue.updated = issue.created


def bare_paging(url: str, auth: str, body: dict) -> int:
    session = requests.Session()
    session.headers.update({"Authorization": auth, "Accept": "application/json"})
    count, token = 0, None
    while True:
        page_body = dict(body, **({"nextPageToken": token} if token else {}))
        page = session.post(f"{url}/rest/api/3/search/jql", json=page_body, timeout=60).json()
        count += len(page["issues"])
        token = page.get("nextPageToken")
        if page.get("isLast", True) or not token:
            session.close()
            return count


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    with JiraEmulator() as emulator:
        populate(emulator, args.issues)
        os.environ["CSI_BENCH_JIRA_TOKEN"] = "emulator-api-token"
        config = parse_config({"base_url": emulator.url, "allow_insecure_loopback": True,
                               "projects": ["OPS"],
                               "page_size": args.page_size, "field_map": FIELD_MAP,
                               "auth": {"email": "mia@example.com",
                                        "token_env": "CSI_BENCH_JIRA_TOKEN"}})
        adapter = JiraAdapter(config, sleep=time.sleep, clock=lambda: datetime.now(UTC))
        body = {"jql": 'project in ("OPS") ORDER BY updated ASC, key ASC',
                "fields": requested_fields(config), "maxResults": args.page_size,
                "expand": "changelog"}
        total = args.issues + 2                            # + the two seeded OPS issues
        bare_paging(emulator.url, config.auth_header.reveal(), body)   # warm-up
        t0 = time.perf_counter()
        bare = bare_paging(emulator.url, config.auth_header.reveal(), body)
        t_bare = time.perf_counter() - t0
        validation = [0.0]
        real_parse = adapter_module.parse_record

        def timed_parse(*a, **k):                          # the core's record validation
            start = time.perf_counter()
            try:
                return real_parse(*a, **k)
            finally:
                validation[0] += time.perf_counter() - start

        adapter_module.parse_record = timed_parse
        t0 = time.perf_counter()
        synced = sum(1 for _ in adapter.fetch_records(RecordQuery(kinds=())))
        t_adapter = time.perf_counter() - t0
        adapter_module.parse_record = real_parse
        adapter.close()
    assert bare == synced == total, (bare, synced, total)
    print(f"issues: {total}, page size: {args.page_size}")
    print(f"bare paging : {t_bare:7.2f} s  {bare / t_bare:9.0f} issues/s")
    print(f"adapter sync: {t_adapter:7.2f} s  {synced / t_adapter:9.0f} issues/s")
    print(f"ratio adapter/bare time: {t_adapter / t_bare:.2f}x "
          f"(adapter throughput = {t_bare / t_adapter:.0%} of bare paging)")
    own = t_adapter - validation[0]
    print(f"  of which csi_rules.records.parse_record (core JSON Schema check): "
          f"{validation[0]:.2f} s; without it: {own / t_bare:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
