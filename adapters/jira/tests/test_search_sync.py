"""Search paging and incremental sync over real HTTP against the emulator."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from csi_rules.adapter import RecordQuery
from csi_rules_jira.sync import SyncLedger, incremental


def _bulk(emulator: Any, clock: Any, count: int, *, minutes_apart: float = 1.0) -> list[str]:
    """`count` OPS issues, updated one after another in the past (oldest first)."""
    keys = []
    for i in range(count):
        when = clock.now - timedelta(minutes=minutes_apart * (count - i))
        keys.append(emulator.site.create_issue("OPS", "Task", f"Generated {i}", reporter=
                                               "5b10a2844c20165700ede21g", created=when).key)
    return keys


def _searches(emulator: Any) -> list[dict[str, Any]]:
    return [json.loads(e.request_body) for e in emulator.exchanges
            if e.path == "/rest/api/3/search/jql"]


def test_full_sync_pages_with_tokens_and_asks_for_explicit_fields(emulator, make_adapter, clock):
    _bulk(emulator, clock, 23)
    adapter = make_adapter(emulator, page_size=5, projects=["OPS"])
    keys = [r.label for r in adapter.fetch_records(RecordQuery(kinds=()))]
    assert len(keys) == len(set(keys)) == 25          # 2 seeded OPS issues + 23 generated
    bodies = _searches(emulator)
    assert len(bodies) == 5                            # 25 issues / 5 per page
    assert "nextPageToken" not in bodies[0] and all("nextPageToken" in b for b in bodies[1:])
    assert {"summary", "status", "updated", "customfield_10050"} <= set(bodies[0]["fields"])
    assert bodies[0]["jql"].endswith("ORDER BY updated ASC, key ASC")
    assert not any(e.path.endswith("/rest/api/3/search") for e in emulator.exchanges)


def test_data_center_uses_offset_paging_on_api_2(dc_emulator, make_adapter, clock):
    _bulk(dc_emulator, clock, 12)
    adapter = make_adapter(dc_emulator, page_size=5, projects=["OPS"])
    records = list(adapter.fetch_records(RecordQuery(kinds=())))
    assert len(records) == 14
    starts = [e.query for e in dc_emulator.exchanges if e.path == "/rest/api/2/search"]
    assert [s.split("startAt=")[1].split("&")[0] for s in starts] == ["0", "5", "10"]
    assert adapter.site.deployment == "datacenter" and adapter.site.api == "/rest/api/2"


def test_watermark_is_written_in_the_users_time_zone_with_overlap(emulator, make_adapter, clock):
    adapter = make_adapter(emulator)                   # mia: Australia/Sydney (UTC+11 in March)
    list(adapter.fetch_records(RecordQuery(kinds=(), since=clock.now)))
    jql = _searches(emulator)[-1]["jql"]
    assert 'updated >= "2026-03-02 20:59"' in jql     # 10:00:30Z -> 21:00 local, minus 1 min


def test_user_behind_utc_misses_nothing(emulator, make_adapter, clock):
    since = clock.now
    issue = emulator.site.create_issue("OPS", "Task", "fresh", reporter="casey",
                                       created=since + timedelta(seconds=10))
    clock.advance(minutes=1)
    adapter = make_adapter(emulator, token="casey-api-token",
                           auth={"email": "casey@example.com", "token_env": "CSI_TEST_JIRA_TOKEN"})
    keys = [r.label for r in adapter.fetch_records(RecordQuery(kinds=(), since=since))]
    assert adapter.site.time_zone.key == "America/New_York"
    assert issue.key in keys
    assert 'updated >= "2026-03-02 04:59"' in _searches(emulator)[-1]["jql"]


def test_overlap_window_never_yields_the_same_version_twice(emulator, make_adapter, clock):
    _bulk(emulator, clock, 10, minutes_apart=0.2)     # many issues inside the same minutes
    adapter = make_adapter(emulator, page_size=4)
    first = list(adapter.fetch_records(RecordQuery(kinds=(), since=clock.now - timedelta(hours=1))))
    assert len(first) >= 10
    watermark = adapter.ledger.watermark
    again = list(adapter.fetch_records(RecordQuery(kinds=(), since=watermark)))
    assert again == []                                 # the overlap re-read is deduped
    clock.advance(seconds=20)
    target = emulator.site.issues["OPS-1"]
    emulator.site.change(target, "5b10a2844c20165700ede21g", [])
    third = list(adapter.fetch_records(RecordQuery(kinds=(), since=watermark)))
    assert [r.label for r in third] == ["OPS-1"]


def test_issues_changed_during_a_sync_are_neither_missed_nor_repeated(emulator, make_adapter,
                                                                      clock):
    keys = _bulk(emulator, clock, 60)
    since = clock.now - timedelta(hours=3)
    adapter = make_adapter(emulator, page_size=10, projects=["OPS"])
    stream = adapter.fetch_records(RecordQuery(kinds=(), since=since))
    seen = [(r.label, r.data["updated_at"]) for _, r in zip(range(15), stream, strict=False)]
    first_read, not_yet_read = seen[2][0], keys[-5]
    clock.advance(seconds=30)
    site = emulator.site
    site.change(site.issues[first_read], "5b10a2844c20165700ede21g", [])   # moves to the end
    site.change(site.issues[not_yet_read], "5b10a2844c20165700ede21g", [])
    created = site.create_issue("OPS", "Task", "born mid-sync", reporter="alex").key
    seen += [(r.label, r.data["updated_at"]) for r in stream]
    assert len(seen) == len(set(seen)), "a (key, updated) pair was processed twice"
    labels = {label for label, _ in seen}
    assert set(keys) | {created} <= labels
    latest = {label: max(u for lab, u in seen if lab == label) for label in labels}
    assert latest[first_read] == clock.now and latest[not_yet_read] == clock.now


def test_one_pass_alone_would_miss_an_issue_when_pages_shift(emulator, make_adapter, clock):
    """Why the sync repeats a pass: offset-style page tokens skip an issue after a shift."""
    keys = _bulk(emulator, clock, 30)
    adapter = make_adapter(emulator, page_size=10, projects=["OPS"])
    site = adapter.site
    from csi_rules_jira.jql import sync_jql
    from csi_rules_jira.normalize import requested_fields
    from csi_rules_jira.search import search

    jql = sync_jql(["OPS"], "", None, site.time_zone, 1)

    def pages():
        for n, issue in enumerate(search(adapter.transport, site, jql, requested_fields(
                adapter.config), page_size=10)):
            if n == 10 and not emulator.site.issues[keys[0]].summary.endswith("!"):
                clock.advance(seconds=30)
                emulator.site.issues[keys[0]].summary += "!"
                emulator.site.change(emulator.site.issues[keys[0]], "alex", [])
            yield issue

    one_pass = {i["key"] for i in incremental(pages, SyncLedger(), since=None,
                                              overlap=timedelta(minutes=1), max_passes=1)}
    emulator.site.issues[keys[0]].summary = emulator.site.issues[keys[0]].summary.rstrip("!")
    assert len(set(keys) - one_pass) == 1             # the shift skipped exactly one issue
    clock.advance(seconds=30)
    repeated = {i["key"] for i in incremental(pages, SyncLedger(), since=None,
                                              overlap=timedelta(minutes=1))}
    assert set(keys) <= repeated


def test_fetch_by_ids_and_kind_filter(emulator, make_adapter):
    adapter = make_adapter(emulator)
    records = list(adapter.fetch_records(RecordQuery(kinds=("change",),
                                                     ids=("ITSM-1", "ITSM-3", "OPS-1"))))
    assert [r.label for r in records] == ["ITSM-3"]


def test_ledger_survives_a_restart_through_state_file(emulator, make_adapter, clock, tmp_path):
    state = tmp_path / "jira-sync.json"
    since = clock.now - timedelta(days=10)
    first = make_adapter(emulator, state_file=str(state))
    assert len(list(first.fetch_records(RecordQuery(kinds=(), since=since)))) == 6
    first.close()
    second = make_adapter(emulator, state_file=str(state))
    assert list(second.fetch_records(RecordQuery(kinds=(), since=since))) == []
