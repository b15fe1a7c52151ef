"""A ticket's snapshots (sla/timeline.py): history instants parsed once per text with one
shared tzinfo per offset, yet the same values and text as parsing each; the snapshots up to
`until` are exactly those a change-by-change reading gives, across offsets and ties."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from csi_rules.records import parse_record
from csi_rules.records.model import Record
from csi_rules.sla.timeline import history_instant, snapshots

T0 = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)


def test_history_instants_share_their_zone_and_read_as_parsed():
    texts = ["2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-29T00:30:00Z",
             "2026-03-29T01:30:00.000001+01:00", "2026-03-29T01:30:00+01:00"]
    parsed = [history_instant(t, "at") for t in texts]
    for text, got in zip(texts, parsed, strict=True):
        want = datetime.fromisoformat(text)
        assert got == want and got.isoformat() == want.isoformat()
        assert got.utcoffset() == want.utcoffset() and got.tzname() == want.tzname()
    assert parsed[0] is parsed[4] and parsed[0].tzinfo is parsed[3].tzinfo
    assert parsed[1].tzinfo is not parsed[0].tzinfo


def _snapshots_by_hand(record: Record, until: datetime) -> list[tuple[datetime, dict]]:
    history = sorted(record.data["history"], key=lambda h: datetime.fromisoformat(h["at"]))
    begin = record.data["opened_at"]
    data = {k: v for k, v in record.data.items() if k != "history"}
    data["raw"] = dict(data.get("raw") or {})
    for field in dict.fromkeys(h["field"] for h in history):
        data[field] = next(h["from"] for h in history if h["field"] == field)
    changes = [(datetime.fromisoformat(h["at"]), h["field"], h["to"]) for h in history]
    for at, field, to in changes:
        if at <= begin:
            data[field] = to
    out = [(begin, dict(data))]
    later = [c for c in changes if begin < c[0] <= until]
    for at in sorted({c[0] for c in later}):
        for when, field, to in later:
            if when == at:
                data[field] = to
        out.append((at, dict(data)))
    return out


def test_snapshots_up_to_until_are_those_of_reading_each_change():
    rng = random.Random(5)
    states = ["new", "in_progress", "on_hold", "resolved", "closed"]
    for n in range(300):
        opened = T0 + timedelta(minutes=rng.randint(0, 120))
        history, state = [], "new"
        for _ in range(rng.randint(0, 8)):
            at = opened + timedelta(minutes=rng.choice([-10, 0, 5, 5, 30, 90, 240]))
            zone = rng.choice(["+01:00", "+02:00", "Z"])
            to = rng.choice(states)
            history.append({"at": at.astimezone(datetime.fromisoformat(f"2026-01-01T00:00{zone}")
                                                .tzinfo).isoformat(),
                            "field": "state", "from": state, "to": to})
            state = to
        record = parse_record({"id": f"r{n}", "kind": "incident", "state": state,
                               "opened_at": opened.isoformat(), "history": history})
        for until in (opened - timedelta(minutes=1), opened, opened + timedelta(minutes=5),
                      opened + timedelta(minutes=60), opened + timedelta(days=1)):
            got = [(s.at, s.record.data) for s in snapshots(record, until)]
            want = _snapshots_by_hand(record, until) if opened <= until else []
            assert got == want


def test_the_kept_instants_and_offsets_start_over_together(monkeypatch) -> None:
    """Offsets to the microsecond (+01:00:07.123456) are valid ISO text: a runner fed such
    history must not keep one offset object per text for good."""
    from csi_rules.sla import timeline

    monkeypatch.setattr(timeline, "INSTANTS_KEPT", 10)
    for n in range(100):
        text = f"2026-03-02T10:00:00+01:00:07.{n:06d}"
        at = timeline.history_instant(text, "at")
        assert at.utcoffset() == timedelta(hours=1, seconds=7, microseconds=n)
    assert len(timeline._offsets) <= 10


def test_a_dotted_history_field_under_null_or_a_changed_type_replays() -> None:
    """raw.a null now, or text before the history made it an object: the snapshots hold the
    object each change says was there (both were internal errors)."""
    record = parse_record({
        "id": "INC2", "kind": "incident", "opened_at": "2026-03-01T10:00:00Z",
        "raw": {"a": {"b": 2}, "c": None},
        "history": [
            {"at": "2026-03-01T10:30:00Z", "field": "raw.a", "from": "text", "to": {"b": 1}},
            {"at": "2026-03-01T11:00:00Z", "field": "raw.a.b", "from": 1, "to": 2},
            {"at": "2026-03-01T11:30:00Z", "field": "raw.c.d", "from": 5, "to": 6}]})
    seen = [(s.record.get("raw.a"), s.record.get("raw.c"))
            for s in snapshots(record, datetime(2026, 3, 2, tzinfo=UTC))]
    assert seen[0] == ("text", {"d": 5})  # raw.a's first change is the earlier one
    assert seen[-1] == ({"b": 2}, {"d": 6})


def test_a_dotted_field_whose_parent_later_became_text_replays() -> None:
    """raw.a.b changed, then raw.a became text (its current value): a normal history, read
    as the object it was, then the text."""
    record = parse_record({
        "id": "I1", "kind": "incident", "opened_at": "2026-03-01T10:00:00Z",
        "raw": {"a": "text"},
        "history": [
            {"at": "2026-03-01T10:30:00Z", "field": "raw.a.b", "from": 1, "to": 2},
            {"at": "2026-03-01T11:00:00Z", "field": "raw.a", "from": {"b": 2}, "to": "text"}]})
    seen = [s.record.get("raw.a") for s in snapshots(record, datetime(2026, 3, 2, tzinfo=UTC))]
    assert seen == [{"b": 1}, {"b": 2}, "text"]
