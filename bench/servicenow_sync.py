"""Benchmark: sync 20,000 incidents through the ServiceNow emulator.

Baseline, measured in the same run against the same emulator: bare `requests` paging with
sysparm_offset/sysparm_limit over the same fields, display mode and page size, keeping the JSON
rows and nothing else. The adapter does more per page (keyset query, dedupe, normalization,
record validation), so the ratio shows what that costs on top of the HTTP work.

    .venv/bin/python bench/servicenow_sync.py [--records 20000] [--page-size 1000]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

import requests

from csi_rules.adapter import RecordQuery
from csi_rules_servicenow.emulator import ServiceNowEmulator
from csi_rules_servicenow.normalize import fields_for
from csi_rules_servicenow.plugin import make_adapter


def populate(emulator: ServiceNowEmulator, total: int) -> None:
    """Clone the seed's real incidents into `total` rows with fresh ids, numbers and stamps."""
    store = emulator.store
    templates = store.rows("incident")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(total - len(templates)):
        row = dict(templates[i % len(templates)])
        stamp = (start + timedelta(seconds=i // 3)).strftime("%Y-%m-%d %H:%M:%S")  # 3 per second
        row.update(sys_id=store.new_sys_id(), number=f"INC{2000000 + i:07d}",
                   sys_updated_on=stamp, sys_mod_count="1")
        rows.append(row)
    store.load("incident", rows)


def bare_requests(url: str, page_size: int, fields: str, display: str) -> int:
    count, offset = 0, 0
    with requests.Session() as session:
        session.auth = ("admin", "admin")
        while True:
            response = session.get(f"{url}/api/now/table/incident", params={
                "sysparm_query": "ORDERBYsys_updated_on^ORDERBYsys_id",
                "sysparm_fields": fields, "sysparm_limit": page_size, "sysparm_offset": offset,
                "sysparm_display_value": display, "sysparm_exclude_reference_link": "true",
                "sysparm_suppress_pagination_header": "true", "sysparm_no_count": "true"},
                headers={"Accept": "application/json"}, timeout=60)
            response.raise_for_status()
            rows = response.json()["result"]
            count += len(rows)
            offset += page_size
            if len(rows) < page_size:
                return count


def adapter_sync(url: str, page_size: int, display: str) -> int:
    adapter = make_adapter({"url": url, "allow_insecure_loopback": True,
                            "auth": {"type": "basic", "username": "admin", "password_env": "PW"},
                            "page_size": page_size, "display_value": display},
                           environ={"PW": "admin"})
    with adapter:
        return sum(1 for _ in adapter.fetch_records(RecordQuery(kinds=("incident",))))


def timed(label: str, run) -> tuple[int, float]:
    began = time.perf_counter()
    count = run()
    seconds = time.perf_counter() - began
    print(f"  {label:<34} {count:>6} records in {seconds:6.2f} s = {count / seconds:8.0f} rec/s")
    return count, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args(argv)
    with ServiceNowEmulator() as emulator:
        populate(emulator, args.records)
        fields = ",".join(fields_for("incident"))
        print(f"servicenow sync: {args.records} incidents, page size {args.page_size}, "
              f"{len(fields.split(','))} fields, emulator {emulator.url}")
        for display in ("false", "all"):
            print(f" sysparm_display_value={display}")
            base_n, base_s = timed("bare requests (offset paging)",
                                   lambda d=display: bare_requests(emulator.url, args.page_size,
                                                                   fields, d))
            ad_n, ad_s = timed("adapter (keyset, normalize)",
                               lambda d=display: adapter_sync(emulator.url, args.page_size, d))
            assert base_n == ad_n == args.records, (base_n, ad_n)
            ratio = (ad_n / ad_s) / (base_n / base_s)
            ratio = (ad_n / ad_s) / (base_n / base_s)
            print(f"  ratio adapter/bare records per second: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
