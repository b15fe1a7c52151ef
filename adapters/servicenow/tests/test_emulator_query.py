"""The encoded-query subset, evaluated by the emulator the way the docs describe it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import requests

from csi_rules_servicenow.emulator.query import NOT_IMPLEMENTED, parse_query


@pytest.fixture
def numbers(emulator):
    session = requests.Session()
    session.auth = ("admin", "admin")

    def run(query: str, table: str = "incident") -> list[str]:
        response = session.get(f"{emulator.url}/api/now/table/{table}",
                               params={"sysparm_query": query, "sysparm_fields": "number"})
        assert response.status_code == 200
        return [r["number"] for r in response.json()["result"]]

    yield run
    session.close()


def _expected(emulator, predicate):
    return sorted(r["number"] for r in emulator.store.rows("incident") if predicate(r))


@pytest.mark.parametrize(("query", "predicate"), [
    ("priority=1", lambda r: r["priority"] == "1"),
    ("priority!=1", lambda r: r["priority"] != "1"),
    ("priority<3", lambda r: r["priority"] in ("1", "2")),
    ("priority<=3", lambda r: r["priority"] in ("1", "2", "3")),
    ("priority>4", lambda r: r["priority"] == "5"),
    ("priority>=4", lambda r: r["priority"] in ("4", "5")),
    ("stateIN1,2", lambda r: r["state"] in ("1", "2")),
    ("stateNOT IN1,2,7", lambda r: r["state"] == "3"),
    ("short_descriptionSTARTSWITHCan't", lambda r: r["short_description"].startswith("Can't")),
    ("short_descriptionLIKEemail", lambda r: "email" in r["short_description"]),
    ("short_descriptionNOT LIKEe", lambda r: "e" not in r["short_description"]),
    ("short_descriptionENDSWITHdown?", lambda r: r["short_description"].endswith("down?")),
    ("assignment_groupISEMPTY", lambda r: r["assignment_group"] == ""),
    ("assignment_groupISNOTEMPTY", lambda r: r["assignment_group"] != ""),
    ("active=true^priority=1", lambda r: r["active"] == "true" and r["priority"] == "1"),
    ("priority=1^ORpriority=5", lambda r: r["priority"] in ("1", "5")),
    ("active=true^priority=1^ORpriority=5",
     lambda r: r["active"] == "true" and r["priority"] in ("1", "5")),
    ("priority=1^NQstate=3", lambda r: r["priority"] == "1" or r["state"] == "3"),
    ("no_such_field=1^priority=2", lambda r: r["priority"] == "2"),  # invalid part ignored
    ("assignment_group.name=Network", lambda r: r["assignment_group"] ==
     "d625dccec0a8016700a222a0f7900d06"),
    ("sys_updated_on>=2023-01-10 20:00:00", lambda r: r["sys_updated_on"] >= "2023-01-10 20:00:00"),
    ("short_descriptionLIKEEMAIL", lambda r: "EMAIL" in r["short_description"]),  # case-sensitive
])
def test_operators(emulator, numbers, query, predicate):
    expected = _expected(emulator, predicate)
    assert sorted(numbers(query)) == expected
    assert expected or query.startswith("short_descriptionENDSWITH")


def test_orderby_and_orderbydesc_chain(emulator, numbers):
    got = numbers("priority<=2^ORDERBYpriority^ORDERBYDESCnumber")
    rows = [r for r in emulator.store.rows("incident") if r["priority"] in ("1", "2")]
    rows.sort(key=lambda r: r["number"], reverse=True)
    rows.sort(key=lambda r: int(r["priority"]))
    assert got == [r["number"] for r in rows]


def test_numeric_columns_sort_as_numbers(emulator, numbers):
    got = numbers("sys_mod_count>=9^ORDERBYsys_mod_count^ORDERBYnumber")
    mods = {r["number"]: int(r["sys_mod_count"]) for r in emulator.store.rows("incident")}
    assert [mods[n] for n in got] == sorted(mods[n] for n in got)
    assert max(mods[n] for n in got) >= 10  # "10" < "9" as text: a string sort would fail


def test_parse_structure():
    query = parse_query("a=1^ORb=2^c=3^NQd=4^ORDERBYe^ORDERBYDESCf")
    assert [[[c.field for c in term] for term in group] for group in query.groups] == [
        [["a", "b"], ["c"]], [["d"]]]
    assert query.order_by == [("e", False), ("f", True)]
    assert parse_query("").groups == []


# --- operators from r_OpAvailableFiltersQueries.md beyond the basics ---------------------------

def _group_name(emulator, sys_id: str) -> str:
    row = emulator.store.get("sys_user_group", sys_id) if sys_id else None
    return (row or {}).get("name", "")


def _user_name(emulator, sys_id: str) -> str:
    row = emulator.store.get("sys_user", sys_id) if sys_id else None
    return (row or {}).get("name", "")


def test_between_on_numbers_text_and_dates(emulator, numbers):
    rows = emulator.store.rows("incident")
    assert sorted(numbers("priorityBETWEEN2@4")) == sorted(
        r["number"] for r in rows if r["priority"] in ("2", "3", "4"))
    # text: the upper bound is a prefix ("q@t" covers values starting with t)
    assert sorted(numbers("short_descriptionBETWEENa@e")) == sorted(
        r["number"] for r in rows
        if r["short_description"] >= "a" and (r["short_description"] <= "e"
                                              or r["short_description"].startswith("e")))
    got = numbers("opened_atBETWEEN2022-10-01 00:00:00@2022-10-15")
    assert got and sorted(got) == sorted(
        r["number"] for r in rows if "2022-10-01 00:00:00" <= r["opened_at"] <= "2022-10-15 23:59:59")


def test_sameas_and_field_comparisons(emulator, numbers):
    rows = emulator.store.rows("incident")
    same = sorted(r["number"] for r in rows if r["impact"] == r["urgency"])
    assert same and sorted(numbers("impactSAMEASurgency")) == same
    assert sorted(numbers("impactNSAMEASurgency")) == sorted(
        r["number"] for r in rows if r["impact"] != r["urgency"])
    assert sorted(numbers("impactGT_FIELDurgency")) == sorted(
        r["number"] for r in rows if int(r["impact"]) > int(r["urgency"]))
    assert sorted(numbers("impactLT_OR_EQUALS_FIELDurgency")) == sorted(
        r["number"] for r in rows if int(r["impact"]) <= int(r["urgency"]))
    assert sorted(numbers("opened_atSAMEASsys_created_on@day")) == sorted(
        r["number"] for r in rows if r["opened_at"][:10] == r["sys_created_on"][:10])


def test_reference_text_operators_compare_display_values(emulator, numbers):
    rows = emulator.store.rows("incident")
    network = sorted(r["number"] for r in rows
                     if _group_name(emulator, r["assignment_group"]).startswith("Net"))
    assert network and sorted(numbers("assignment_groupSTARTSWITHNet")) == network
    assert sorted(numbers("assignment_groupLIKEwork")) == sorted(
        r["number"] for r in rows if "work" in _group_name(emulator, r["assignment_group"]))
    assert sorted(numbers("assignment_groupNOT LIKEwork")) == sorted(
        r["number"] for r in rows if "work" not in _group_name(emulator, r["assignment_group"]))
    name = next(_user_name(emulator, r["resolved_by"]) for r in rows if r["resolved_by"])
    same = sorted(r["number"] for r in rows
                  if _user_name(emulator, r["resolved_by"]).endswith(name[-4:]))
    assert same and sorted(numbers(f"resolved_byENDSWITH{name[-4:]}")) == same
    assert sorted(numbers(f"resolved_by%{name[-4:]}")) == same                 # the `%` alias
    exact = sorted(r["number"] for r in rows if _user_name(emulator, r["resolved_by"]) == name)
    assert sorted(numbers(f"resolved_by={name}")) == exact                     # by display value


def test_name_value_parameters_and_choice_labels(emulator):
    rows = emulator.store.rows("incident")
    closed = sorted(r["number"] for r in rows if r["state"] == "7")
    reply = requests.get(f"{emulator.url}/api/now/table/incident", auth=("admin", "admin"),
                         params={"state": "closed", "sysparm_fields": "number",
                                 "sysparm_limit": "1000"}, timeout=5)
    assert closed and sorted(r["number"] for r in reply.json()["result"]) == closed
    # a reference by its display value, with another pair ANDed (c_TableAPI.md's `&active=true`)
    desk = sorted(r["number"] for r in rows if r["active"] == "true" and
                  _group_name(emulator, r["assignment_group"]) == "Service Desk")
    reply = requests.get(f"{emulator.url}/api/now/table/incident", auth=("admin", "admin"),
                         params={"assignment_group": "Service Desk", "active": "true",
                                 "sysparm_fields": "number"}, timeout=5)
    assert desk and sorted(r["number"] for r in reply.json()["result"]) == desk


def test_date_helpers_on_relative_and_datepart(emulator, numbers):
    rows = emulator.store.rows("incident")
    everything = sorted(r["number"] for r in rows if r["opened_at"])
    # every seeded incident was opened before today and more than a year ago
    assert sorted(numbers("opened_at<javascript:gs.daysAgoStart(0)")) == everything
    assert numbers("opened_atONToday@javascript:gs.daysAgoStart(0)@javascript:gs.daysAgoEnd(0)") == []
    assert sorted(numbers(
        "opened_atNOTONToday@javascript:gs.daysAgoStart(0)@javascript:gs.daysAgoEnd(0)")) == everything
    assert sorted(numbers("opened_atRELATIVELT@year@ago@1")) == everything
    assert numbers("opened_atRELATIVEGT@hour@ago@1") == []
    from datetime import datetime

    def weekday(r):   # Python: Monday 0 .. Sunday 6
        return datetime.strptime(r["opened_at"], "%Y-%m-%d %H:%M:%S").weekday()
    mondays = sorted(r["number"] for r in rows if r["opened_at"] and weekday(r) == 0)
    assert mondays and sorted(numbers(
        "opened_atDATEPARTMonday@javascript:gs.datePart('dayofweek','monday','EE')")) == mondays
    sundays = sorted(r["number"] for r in rows if r["opened_at"] and weekday(r) == 6)
    assert sorted(numbers(
        "opened_atDATEPARTMonday@javascript:gs.datePart('dayofweek','monday','LT')")) == sundays


def test_date_helpers_are_exact_against_a_given_now():
    from datetime import UTC, datetime

    now = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)             # a Wednesday

    def hit(text: str, value: str) -> bool:
        return parse_query(text, now).matches(lambda name: value if name == "opened_at" else None)
    today = "opened_atONToday@javascript:gs.daysAgoStart(0)@javascript:gs.daysAgoEnd(0)"
    assert hit(today, "2026-03-04 00:00:00") and hit(today, "2026-03-04 23:59:59")
    assert not hit(today, "2026-03-03 23:59:59")
    assert hit("opened_atBETWEENjavascript:gs.daysAgoStart(1)@javascript:gs.daysAgoEnd(0)",
               "2026-03-03 00:00:00")
    assert hit("opened_atRELATIVEGT@hour@ago@1", "2026-03-04 14:31:00")
    assert not hit("opened_atRELATIVEGT@hour@ago@1", "2026-03-04 14:29:00")
    assert hit("opened_at>=javascript:gs.beginningOfThisWeek()", "2026-03-02 00:00:00")
    assert not hit("opened_at>=javascript:gs.beginningOfThisWeek()", "2026-03-01 23:59:59")
    assert hit("opened_at<javascript:gs.beginningOfLastMonth()", "2026-01-31 23:59:59")
    assert hit("opened_at>javascript:gs.hoursAgo(2)", "2026-03-04 13:31:00")


@pytest.mark.parametrize("query", [
    "caller_idDYNAMIC54635e965f510100a9ad2572f2b4774c",        # documented, not modelled
    "managerIN_HIERARCHYfdd0fa0f93f5d2505bd0bd886cba1015%409ee1b13dc6112271007f9d0efdb69cd0",
    "stateVALCHANGES", "priorityFOO1", "priority=1^ORstateWHATEVER2",
    "opened_at<javascript:gs.getUserID()", "opened_at<javascript:new Date()",
    "opened_atRELATIVEGT@fortnight@ago@1", "opened_atDATEPARTx@javascript:gs.datePart('era','x','EE')",
    "stateWHATEVER2", "priorityFOO1",
])
def test_a_part_the_emulator_cannot_evaluate_returns_no_rows_never_every_row(numbers, query):
    assert numbers(query) == []


def test_a_capitalised_name_is_no_column_and_is_ignored_like_any_unknown_field(emulator, numbers):
    # c_TableAPI.md: names are case-sensitive and an invalid field is ignored; the operators
    # doc's own first example writes `Caller`, so it reads as `active=true`
    active = _expected(emulator, lambda r: r["active"] == "true")
    assert active and sorted(numbers("active=true^CallerISNOTEMPTY")) == active
    assert sorted(numbers("Priority=1")) == _expected(emulator, lambda r: True)


def _documented_examples() -> list[str]:
    """Every `Example query` cell of r_OpAvailableFiltersQueries.md (HTML and Markdown tables)."""
    for parent in Path(__file__).resolve().parents:
        doc = parent / "shared/reference/specs/servicenow-docs/r_OpAvailableFiltersQueries.md"
        if doc.is_file():
            break
    else:
        raise RuntimeError("shared/reference/specs beside the repository not found")
    text = doc.read_text(encoding="utf-8")
    cells = [[re.sub(r"\s+", " ", c).strip() for c in re.split(r"</td><td>|<td>|</td>", row)
              if c.strip()] for row in re.findall(r"<tr>(.*?)</tr>", text, re.S)]
    found = [c[3] for c in cells if len(c) >= 4 and not c[0].startswith("<th")]
    found += [line.split("|")[4] for line in text.splitlines()
              if line.startswith("|") and not line.startswith("|--") and "Operator label" not in line]
    return [html.unescape(q.replace("\\", "")) for q in found]


DOCUMENTED = _documented_examples()
TYPO = "short_descriptionlt;=s"           # the doc's `<=` row lost its `&`


def test_the_operators_doc_is_read_whole():
    assert len(DOCUMENTED) == 108 and TYPO in DOCUMENTED


@pytest.mark.parametrize("query", [q for q in DOCUMENTED if q != TYPO])
def test_every_documented_example_query_is_evaluated_or_answers_no_rows(emulator, numbers, query):
    """Each example query of the operators doc is understood, or (the operators needing users,
    hierarchies, tags or change tracking) answers no rows: never every row by dropping a part."""
    parsed = parse_query(query)
    if any(op in query for op in NOT_IMPLEMENTED):
        assert parsed.invalid and numbers(query) == []
    else:
        assert parsed.invalid == [] and parsed.groups, query
        numbers(query)                                      # and it runs over HTTP
