"""`csi-rules oncall`: who a rota: notification reaches, with the hand-overs around the instant,
right across Europe/Berlin's DST changes (2026-03-29 spring forward, 2026-10-25 fall back)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from csi_rules.notify.rota import resolve
from csi_rules.plugins import load_plugins
from csi_rules.policy.validate import load_policy_set
from csi_rules.runtime.notifications import rotas_of

ROTAS = Path(__file__).parent / "rotas"


@pytest.fixture
def oncall(cli):
    def run(rota: str, at: str) -> dict:
        result = cli("oncall", "--rota", rota, "--at", at, "--policies", str(ROTAS),
                     "--format", "json")
        assert result.code == 0, result.err
        return json.loads(result.out)
    return run


def window(who: dict) -> tuple[str, str, str, str, str]:
    return who["name"], who["since"], who["until"], who["from"], who["to"]


def test_the_morning_hand_over_after_spring_forward_is_at_nine_local_not_nine_utc_plus_one(
        oncall):
    # 07:30Z is 09:30 in Berlin on 2026-03-29 (CEST): cara has taken over; the shift before
    # hers was 23 hours long (09:00+01:00 to 09:00+02:00)
    after = oncall("day", "2026-03-29T07:30:00Z")
    assert window(after["primary"]) == ("cara@example.com", "2026-03-29T09:00:00+02:00",
                                        "2026-03-30T09:00:00+02:00", "ben@example.com",
                                        "anna@example.com")
    before = oncall("day", "2026-03-29T06:59:00Z")
    assert window(before["primary"]) == ("ben@example.com", "2026-03-28T09:00:00+01:00",
                                         "2026-03-29T09:00:00+02:00", "anna@example.com",
                                         "cara@example.com")


def test_a_hand_over_inside_the_spring_forward_gap_happens_when_the_clock_jumps(oncall):
    # 02:30 never shows on 2026-03-29: the hand-over is at 03:00+02:00 (01:00Z), not before
    assert oncall("night", "2026-03-29T00:59:00Z")["primary"]["name"] == "olga"
    shift = oncall("night", "2026-03-29T03:10")["primary"]
    assert window(shift) == ("nils", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
                             "olga", "olga")


def test_a_hand_over_in_the_repeated_fall_back_hour_happens_once_at_its_first_showing(oncall):
    # 02:30 shows twice on 2026-10-25; the second showing (+01:00) is not a second hand-over
    first = oncall("night", "2026-10-25T02:45:00+02:00")["primary"]
    second = oncall("night", "2026-10-25T02:45:00+01:00")["primary"]
    assert window(first) == window(second) == (
        "nils", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00", "olga", "olga")
    assert oncall("night", "2026-10-25T00:29:00Z")["primary"]["name"] == "olga"


def test_a_weekly_hand_over_on_the_fall_back_sunday_and_a_person_as_backup(oncall):
    report = oncall("weekly", "2026-10-25T12:00")
    assert report["at"] == "2026-10-25T12:00:00+01:00"
    assert window(report["primary"]) == ("quinn@example.com", "2026-10-25T09:00:00+01:00",
                                         "2026-11-01T09:00:00+01:00", "pia@example.com",
                                         "pia@example.com")
    assert report["backup"] == {"name": "duty.manager@example.com"}
    assert oncall("weekly", "2026-10-25T08:30:00+01:00")["primary"]["since"] == \
        "2026-10-18T09:00:00+02:00"


def test_an_override_shows_its_own_window_and_shortens_the_turns_beside_it(oncall):
    during = oncall("day", "2026-10-26T12:00")
    assert during["primary"]["override"] is True
    assert window(during["primary"]) == ("dora", "2026-10-26T09:00:00+01:00",
                                         "2026-10-26T18:00:00+01:00", "cara@example.com",
                                         "anna@example.com")
    assert during["primary"]["phone"] == "+49301234"
    assert window(during["backup"]) == ("olga", "2026-10-26T02:30:00+01:00",
                                        "2026-10-27T02:30:00+01:00", "nils", "nils")
    before = oncall("day", "2026-10-26T08:00")["primary"]
    assert (before["name"], before["until"], before["to"]) == (
        "cara@example.com", "2026-10-26T09:00:00+01:00", "dora")


def test_the_command_and_notify_resolution_agree(oncall):
    rotas = rotas_of(load_policy_set([str(ROTAS)], load_plugins(entry_points=False)))
    at = datetime.fromisoformat("2026-03-29T07:30:00+00:00")
    report = oncall("day", at.isoformat())
    assert resolve(rotas, "day", at) == [report["primary"]["email"]]
    assert resolve(rotas, "day:backup", at) == [report["backup"]["email"]]


def test_text_output_and_an_unknown_rota(cli):
    result = cli("oncall", "--rota", "day", "--at", "2026-03-29T09:30", "--policies", str(ROTAS))
    assert result.code == 0, result.err
    assert result.out.splitlines()[:4] == [
        "rota day (Europe/Berlin) at 2026-03-29T09:30:00+02:00:",
        "  primary: cara@example.com",
        "    since 2026-03-29T09:00:00+02:00 (hand-over from ben@example.com)",
        "    until 2026-03-30T09:00:00+02:00 (hand-over to anna@example.com)"]
    assert "  backup: nils <nils@example.com> on rota night" in result.out
    wrong = cli("oncall", "--rota", "dya", "--policies", str(ROTAS))
    assert wrong.code == 2
    assert "unknown on-call rota 'dya'; did you mean 'day'?" in wrong.err
