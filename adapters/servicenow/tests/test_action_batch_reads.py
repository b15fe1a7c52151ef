"""The batch read (prepare): one query per page instead of one GET per action, with the same
results as reading per action; writes and changes made on the platform meanwhile are handled."""

from __future__ import annotations

from csi_rules.adapter import ActionRequest

NETWORK = "d625dccec0a8016700a222a0f7900d06"
SOFTWARE_GROUP = "Software"


def incidents(emulator, count):
    return [str(emulator.store.insert("incident", {
        "short_description": f"batch {i}", "impact": "2", "urgency": "2", "state": "1",
        "active": "true"}, "admin")["sys_id"]) for i in range(count)]


def route(sys_id, key="route"):
    return [ActionRequest("assign", {"group": "Network"}, sys_id, f"{sys_id}-{key}-0"),
            ActionRequest("comment", {"text": "Routed to Network"}, sys_id, f"{sys_id}-{key}-1")]


def run_batch(adapter, ids, requests, *, dry_run=False, prepared=True):
    records = [adapter.fetch_record(i) for i in ids]
    by_id = {r.id: r for r in records}
    if prepared:
        adapter.prepare(records, requests)
    try:
        return [adapter.apply_action(a, by_id[a.record_id], dry_run=dry_run) for a in requests]
    finally:
        if prepared:
            adapter.prepare((), ())


def reads(emulator):
    """The reads actions make: single-incident GETs, work-note lookups, and batch reads of
    incidents (`sys_idIN`; the test's own fetch_record calls query `sys_id=`)."""
    batch = sum(1 for m, p, q in emulator.requests
                if m == "GET" and p == "/api/now/table/incident" and "sys_idIN" in q)
    return (emulator.count("GET", "/api/now/table/incident/"),
            emulator.count("GET", "/api/now/table/sys_journal_field"), batch)


def test_a_prepared_batch_checks_from_one_query_per_page_not_one_get_per_action(emulator,
                                                                                 adapter):
    ids = incidents(emulator, 120)
    requests = [a for i in ids for a in route(i)]
    before = reads(emulator)
    results = run_batch(adapter, ids, requests, dry_run=True)
    single, notes, batch = (n - b for n, b in zip(reads(emulator), before, strict=True))
    assert {r.status for r in results} == {"skipped"}
    assert (single, notes, batch) == (0, 2, 2), "one column read and one marker lookup per " \
        "100 records, no GET per action"

    before = reads(emulator)
    run_batch(adapter, ids, requests, dry_run=True, prepared=False)
    single, notes, batch = (n - b for n, b in zip(reads(emulator), before, strict=True))
    assert (single, notes, batch) == (len(ids), len(ids), 0), "unprepared: a GET per check"


def test_writes_are_confirmed_by_a_fresh_read_and_repeats_answer_from_the_snapshot(emulator,
                                                                                  adapter):
    ids = incidents(emulator, 30)
    first = run_batch(adapter, ids, [a for i in ids for a in route(i)])
    assert {r.status for r in first} == {"applied"}
    assert {emulator.store.get("incident", i)["assignment_group"] for i in ids} == {NETWORK}
    assert emulator.count("PATCH", "/api/now/table/incident/") == 60
    before = emulator.count("GET", "/api/now/table/incident/")

    again = run_batch(adapter, ids, [a for i in ids for a in route(i)])
    assert {r.status for r in again} == {"already_applied"}
    assert emulator.count("PATCH", "/api/now/table/incident/") == 60, "nothing written twice"
    assert emulator.count("GET", "/api/now/table/incident/") == before, \
        "no GET per action and no read-back: nothing was written"


def test_a_write_drops_the_snapshot_so_a_second_action_on_the_record_reads_fresh(emulator,
                                                                                 adapter):
    (sys_id,) = incidents(emulator, 1)
    twice = [ActionRequest("assign", {"group": "Network"}, sys_id, "a"),
             ActionRequest("escalate", {"group": "Network", "reason": "no answer"}, sys_id, "b")]
    first, second = run_batch(adapter, [sys_id], twice)
    assert first.status == "applied"
    assert second.status == "applied" and "Escalated" in second.detail
    patches = [q for m, p, q in emulator.requests if m == "PATCH"]
    assert len(patches) == 2, "the escalation saw the group already set and wrote only its note"


def test_a_field_changed_to_the_wanted_value_after_the_snapshot_is_written_and_confirmed(
        emulator, adapter):
    (sys_id,) = incidents(emulator, 1)
    record = adapter.fetch_record(sys_id)
    (assign,) = route(sys_id)[:1]
    adapter.prepare([record], [assign])
    emulator.store.update("incident", sys_id, {"assignment_group": NETWORK}, "beth.anglin")
    result = adapter.apply_action(assign, record, dry_run=False)
    adapter.prepare((), ())
    assert result.status == "applied", "the snapshot said it differed: written, then read back"
    assert emulator.store.get("incident", sys_id)["assignment_group"] == NETWORK


def test_a_field_changed_away_after_the_snapshot_keeps_the_later_change(emulator, adapter):
    """Documented in actions/snapshot.py: a change after the snapshot counts as coming after
    the action; it stands, and the record's next sync evaluates it again."""
    (sys_id,) = incidents(emulator, 1)
    emulator.store.update("incident", sys_id, {"assignment_group": NETWORK}, "admin")
    record = adapter.fetch_record(sys_id)
    (assign,) = route(sys_id)[:1]
    adapter.prepare([record], [assign])
    other = emulator.store.rows("sys_user_group")[0]["sys_id"]
    assert other != NETWORK
    emulator.store.update("incident", sys_id, {"assignment_group": other}, "beth.anglin")
    result = adapter.apply_action(assign, record, dry_run=False)
    adapter.prepare((), ())
    assert result.status == "already_applied"
    assert emulator.store.get("incident", sys_id)["assignment_group"] == other
    after = adapter.apply_action(assign, adapter.fetch_record(sys_id), dry_run=False)
    assert after.status == "applied", "unprepared (the next cycle): a fresh read, a write"
    assert emulator.store.get("incident", sys_id)["assignment_group"] == NETWORK


def test_a_lost_answer_is_settled_by_a_fresh_read_not_by_the_snapshot(emulator, make):
    adapter = make(emulator, timeouts={"connect": 2, "read": 0.3})
    (sys_id,) = incidents(emulator, 1)
    emulator.faults.add("drop", method="PATCH", when="after")
    emulator.faults.add("drop", method="PATCH", when="after")
    results = run_batch(adapter, [sys_id], route(sys_id))
    assert [r.status for r in results] == ["applied", "applied"]
    notes = [r["value"] for r in emulator.store.rows("sys_journal_field")
             if r["element_id"] == sys_id and r["element"] == "work_notes"]
    assert len(notes) == 1, "the note's marker was looked up again, not taken as missing"
    assert emulator.count("PATCH", f"/api/now/table/incident/{sys_id}") == 2, "never resent"


def test_a_column_the_table_lacks_is_refused_from_the_snapshot_too(emulator, adapter):
    (sys_id,) = incidents(emulator, 1)
    request = ActionRequest("set_field", {"field": "u_nope", "value": "x"}, sys_id, "k")
    (result,) = run_batch(adapter, [sys_id], [request])
    assert result.status == "failed" and "has no field u_nope" in result.detail
    assert emulator.count("PATCH", "/api/now/table/") == 0


def test_after_the_batch_the_snapshot_is_gone(emulator, adapter):
    (sys_id,) = incidents(emulator, 1)
    record = adapter.fetch_record(sys_id)
    (assign,) = route(sys_id)[:1]
    adapter.prepare([record], [assign])
    adapter.prepare((), ())
    emulator.store.update("incident", sys_id, {"assignment_group": NETWORK}, "beth.anglin")
    before = emulator.count("GET", f"/api/now/table/incident/{sys_id}")
    assert adapter.apply_action(assign, record, dry_run=False).status == "already_applied"
    assert emulator.count("GET", f"/api/now/table/incident/{sys_id}") == before + 1
