"""The encoded-query subset, evaluated by the emulator the way the docs describe it."""

from __future__ import annotations

import pytest
import requests

from csi_rules_servicenow.emulator.query import parse_query


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
