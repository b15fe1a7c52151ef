"""Incremental sync over real HTTP: nothing missed, nothing processed twice, whatever happens."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from csi_rules.adapter import RecordQuery
from csi_rules.errors import RecordNotFound
from csi_rules_servicenow.sync import SyncState, keyset_query

INCIDENTS = RecordQuery(kinds=("incident",))


def _ids(emulator, table="incident"):
    return {r["sys_id"] for r in emulator.store.rows(table)}


def _versions(records):
    return [(r.id, int(r.data["raw"]["sys_mod_count"])) for r in records]


def test_full_sync_reads_every_record_once_in_update_order(emulator, adapter):
    records = list(adapter.fetch_records(INCIDENTS))
    assert {r.id for r in records} == _ids(emulator)
    assert len(records) == len(_ids(emulator)) == 67
    stamps = [(r.data["raw"]["sys_updated_on"], r.id) for r in records]
    assert stamps == sorted(stamps)
    # keyset paging: page_size 10 -> 7 list calls, none of them with an offset
    assert emulator.count("GET", "/api/now/table/incident") == 7
    assert not any("sysparm_offset" in q for m, p, q in emulator.requests if p.endswith("incident"))


def test_changes_and_inserts_during_the_scan_are_seen_once_in_their_new_version(
        emulator, adapter, clock):
    stream = adapter.fetch_records(INCIDENTS)
    first_page = [next(stream) for _ in range(10)]
    seen_ids = {r.id for r in first_page}
    rows = sorted(emulator.store.rows("incident"), key=lambda r: (r["sys_updated_on"], r["sys_id"]))
    already = rows[0]["sys_id"]  # yielded on page 1
    ahead = rows[40]["sys_id"]  # not reached yet
    gone = rows[30]["sys_id"]  # not reached yet, deleted before the cursor gets there
    clock.advance(60)
    emulator.store.update("incident", already, {"urgency": "1"}, "admin")
    emulator.store.update("incident", ahead, {"short_description": "edited mid-sync"}, "admin")
    emulator.store.delete("incident", gone)
    inserted = [emulator.store.insert("incident", {"short_description": f"new {i}"}, "admin")
                ["sys_id"] for i in range(3)]
    rest = list(stream)
    records = first_page + rest
    versions = _versions(records)
    assert len(versions) == len(set(versions)), "a version was processed twice"
    final = {r["sys_id"]: int(r["sys_mod_count"]) for r in emulator.store.rows("incident")}
    latest = {}
    for sys_id, mod in versions:
        latest[sys_id] = max(mod, latest.get(sys_id, -1))
    assert latest == final, "every record that exists now was read in its current version"
    assert already in seen_ids and Counter(v[0] for v in versions)[already] == 2
    assert Counter(v[0] for v in versions)[ahead] == 1
    assert gone not in latest
    assert set(inserted) <= set(latest)
    edited = next(r for r in rest if r.id == ahead)
    assert edited.data["short_description"] == "edited mid-sync"


def test_many_records_with_the_same_second_are_paged_without_loss(emulator, adapter, clock):
    clock.advance(3600)
    burst = {emulator.store.insert("incident", {"short_description": f"burst {i}"}, "admin")
             ["sys_id"] for i in range(25)}  # 25 rows, one timestamp, page size 10
    records = list(adapter.fetch_records(RecordQuery(kinds=("incident",),
                                                     since=clock.now() - timedelta(seconds=1))))
    assert {r.id for r in records} == burst
    assert len(records) == 25


def test_second_run_reads_only_what_changed_and_overlap_does_not_duplicate(
        emulator, adapter, clock):
    first = list(adapter.fetch_records(INCIDENTS))
    watermark = max(r.data["updated_at"] for r in first)
    clock.advance(120)
    changed = first[5].id
    emulator.store.update("incident", changed, {"state": "2"}, "admin")
    second = list(adapter.fetch_records(RecordQuery(kinds=("incident",), since=watermark)))
    assert [r.id for r in second] == [changed]
    third = list(adapter.fetch_records(RecordQuery(kinds=("incident",), since=watermark)))
    assert third == [], "the overlap window re-reads records but dedupe drops them"


def _commit_late(emulator, adapter, clock):
    """After a first sync, a transaction that started 2 minutes ago commits now, stamped with
    its start time (before the new watermark). Returns (the record, the watermark)."""
    list(adapter.fetch_records(INCIDENTS))
    clock.advance(600)
    watermark = clock.now()
    late = emulator.store.insert("incident", {"short_description": "late commit"}, "admin")
    stamp = (watermark - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S")
    emulator.store.load("incident", [{**late, "sys_updated_on": stamp}])
    return late, watermark


def test_a_late_commit_inside_the_overlap_window_is_not_missed(emulator, adapter, clock):
    late, watermark = _commit_late(emulator, adapter, clock)
    found = list(adapter.fetch_records(RecordQuery(kinds=("incident",), since=watermark)))
    assert [r.id for r in found] == [late["sys_id"]]


def test_without_overlap_the_late_commit_would_be_missed(emulator, make, clock):
    adapter = make(emulator, overlap_seconds=0)
    _, watermark = _commit_late(emulator, adapter, clock)
    assert list(adapter.fetch_records(RecordQuery(kinds=("incident",), since=watermark))) == []


def test_offset_paging_would_skip_a_record_when_one_vanishes_mid_scan(emulator, adapter):
    """Why keyset: the same deletion makes naive offset paging lose a record; ours does not."""
    import requests

    rows = sorted(emulator.store.rows("incident"), key=lambda r: (r["sys_updated_on"], r["sys_id"]))
    params = {"sysparm_query": "ORDERBYsys_updated_on^ORDERBYsys_id", "sysparm_limit": "10",
              "sysparm_fields": "sys_id"}
    with requests.Session() as session:
        session.auth = ("admin", "admin")
        url = emulator.url + "/api/now/table/incident"
        page1 = session.get(url, params={**params, "sysparm_offset": "0"}).json()["result"]
        emulator.store.delete("incident", rows[3]["sys_id"])
        page2 = session.get(url, params={**params, "sysparm_offset": "10"}).json()["result"]
    offset_seen = {r["sys_id"] for r in page1 + page2}
    assert rows[10]["sys_id"] not in offset_seen  # slid into page 1's window: lost
    emulator.store.load("incident", [rows[3]])
    stream = adapter.fetch_records(INCIDENTS)
    keyset_seen = {next(stream).id for _ in range(10)}
    emulator.store.delete("incident", rows[3]["sys_id"])
    keyset_seen |= {r.id for r in stream}
    assert rows[10]["sys_id"] in keyset_seen


def test_filters_are_repeated_in_each_query_group(emulator, make):
    adapter = make(emulator, filters={"incident": "active=true"})
    records = list(adapter.fetch_records(INCIDENTS))
    active = {r["sys_id"] for r in emulator.store.rows("incident") if r["active"] == "true"}
    assert {r.id for r in records} == active and len(active) > 10
    assert keyset_query("active=true", None, ("2020-01-01 00:00:00", "abc")) == (
        "active=true^sys_updated_on>2020-01-01 00:00:00^NQactive=true^sys_updated_on="
        "2020-01-01 00:00:00^sys_id>abc^ORDERBYsys_updated_on^ORDERBYsys_id")


def test_every_kind_and_ids_query(emulator, adapter):
    query = RecordQuery(kinds=("incident", "change", "problem", "request"))
    kinds = Counter(r.kind for r in adapter.fetch_records(query))
    assert kinds == {"incident": 67, "change": 3, "problem": 2, "request": 2}
    wanted = tuple(sorted(_ids(emulator))[:3])
    picked = list(adapter.fetch_records(RecordQuery(kinds=("incident",), ids=wanted)))
    assert sorted(r.id for r in picked) == list(wanted)


def test_fetch_record_by_sys_id_or_number_and_a_vanished_record(emulator, adapter):
    by_number = adapter.fetch_record("CHG0040007")
    assert by_number.kind == "change" and by_number.id == "c83c5e5347c12200e0ef563dbb9a7190"
    assert adapter.fetch_record(by_number.id).label == "CHG0040007"
    emulator.store.delete("change_request", by_number.id)
    with pytest.raises(RecordNotFound, match="no record"):
        adapter.fetch_record(by_number.id)


def test_sync_state_round_trips_through_json(emulator, adapter):
    list(adapter.fetch_records(INCIDENTS))
    restored = SyncState.from_json(adapter.sync_state.to_json())
    assert restored.seen == adapter.sync_state.seen
    assert len(restored.seen["incident"]) == 67
