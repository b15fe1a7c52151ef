"""A long-lived issue's history survives Jira Cloud's cut-short changelog.

Search (`/search/jql`, as bulk fetch) embeds at most the 40 most recent histories with
`expand=changelog` and counts them all in `total`; the adapter reads the whole changelog from
`/issue/{key}/changelog` when it was cut short. Without that, an SLA clock would start from
the 41st most recent change and miss every hold and resolve before it.
"""

from __future__ import annotations

import requests

from csi_rules.adapter import RecordQuery
from csi_rules.sla.estimate import history_available

AUTH = ("mia@example.com", "emulator-api-token")  # the emulator seed's admin (emulator-only)


def _edit_many_times(emulator, clock, key: str, times: int) -> None:
    for n in range(times):
        clock.advance(minutes=1)
        answer = requests.put(f"{emulator.url}/rest/api/3/issue/{key}", auth=AUTH, timeout=5,
                              json={"fields": {"summary": f"edit {n}"}})
        assert answer.status_code == 204, answer.text


def test_search_embeds_the_40_most_recent_histories_and_counts_them_all(emulator, clock):
    issue = emulator.site.issues["ITSM-1"]
    _edit_many_times(emulator, clock, "ITSM-1", 45)
    answer = requests.get(f"{emulator.url}/rest/api/3/search/jql", auth=AUTH, timeout=5,
                          params={"jql": "key = ITSM-1", "fields": "summary",
                                  "expand": "changelog"}).json()
    changelog = answer["issues"][0]["changelog"]
    assert changelog["total"] == len(issue.changelog) >= 45
    assert [h["id"] for h in changelog["histories"]] == [h["id"] for h in issue.changelog[-40:]]


def test_a_synced_record_carries_its_whole_history_past_the_embedded_40(emulator, make_adapter,
                                                                       clock):
    issue = emulator.site.issues["ITSM-1"]
    _edit_many_times(emulator, clock, "ITSM-1", 45)
    records = {r.label: r for r in make_adapter(emulator).fetch_records(RecordQuery(kinds=()))}
    history = records["ITSM-1"].get("history")
    edits = [e["to"] for e in history if e["field"] == "short_description"]
    assert edits == [f"edit {n}" for n in range(45)], "the oldest edits were dropped"
    assert len(history) == sum(len(h["items"]) for h in issue.changelog)
    assert any("/issue/ITSM-1/changelog" in e.path for e in emulator.exchanges)


def test_without_the_changelog_a_record_says_its_history_is_unknown(emulator, make_adapter,
                                                                   clock):
    """`changelog: false` reads no history: the record must not pass an empty history off as
    "nothing ever changed", or an SLA clock takes the current state as held since opening."""
    _edit_many_times(emulator, clock, "ITSM-1", 2)
    records = {r.label: r for r in
               make_adapter(emulator, changelog=False).fetch_records(RecordQuery(kinds=()))}
    record = records["ITSM-1"]
    assert not history_available(record.data)
    assert "changelog: false" in record.get("raw.history_unavailable")
    with_changelog = {r.label: r for r in make_adapter(emulator).fetch_records(
        RecordQuery(kinds=()))}
    assert history_available(with_changelog["ITSM-1"].data)
