"""Live equals replay: a ticket driven through random updates on each emulator gets the same SLA
and escalation decisions from a live runner as from `csi-rules replay` over its history.

Each example opens an incident on the emulator (ServiceNow Table API / Jira REST, as an agent)
and changes it at random minutes: state (on hold and back, resolve, reopen, close, cancel),
assignee on and off, priority up and down, or nothing. The emulator, the adapter and the runner
share one manual clock. A runner (`backlog: act`, its own state database, the adapter filtered to
this one ticket) runs a cycle at the opening, at each update instant just before the update is
made, and once at the end; wake-ups fire as they fall due. Then the ticket is fetched through the
adapter (record + history from sys_audit / the changelog), written as one JSON line and replayed
with `csi-rules replay --history FILE --to END` (in-process, the CLI's own code path).

What "equal" means, and why:
- The runner first sees the ticket at its opening, when nothing has passed, so first-sight
  catch-up never collapses anything (asserted: no decision lists `missed`). Catch-up would make
  the runner act once where replay lists every crossing; that is tested in
  tests/runtime/test_backlog.py and is not what this property is about.
- Crossings: the set of threshold and escalation-rung decision keys the runner decided (its
  audit log) equals the set of threshold and escalation event keys the replay lists. Actions
  are not compared (the runner's are its own writes to the ticket, which the replay then reads
  back as history; an action's success is not a decision).
- Crossing instants: for every key, the runner's `crossed_at` (from the decision it acted on)
  equals the replay event's instant; where the replay moved the event to the moment a stricter
  goal or the ladder took effect (it says so in its explanation), the runner's instant is at or
  before it (it reports when the threshold would have been crossed under that goal).
- Final SLA state: per metric, the stage the live path computes from the fetched record at the
  end (achieved / breached / cancelled / open) equals the replay summary's outcome, and the
  breach instant equals the replay's `breached` event.
The runner looks at the ticket just before every change. A runner that polls less often can miss
a threshold crossed under a stricter goal that a later priority change loosened again, which a
replay over the full history still lists; that difference is the polling, not a defect.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from csi_rules.cli import main
from csi_rules.evaluation import Evaluator
from csi_rules.plugins import load_plugins
from csi_rules.runtime import ManualClock, MemoryReporter, Runner, load_config
from csi_rules.sla.evaluate import sla_statuses
from csi_rules_jira import plugin as jira_plugin
from csi_rules_servicenow import plugin as servicenow_plugin
from tests.live.platforms import DESKS

HERE = Path(__file__).parent
POLICIES = [str(HERE / "policies"), str(HERE.parents[1] / "policies" / "calendars")]
START = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # a Monday: office hours count for P3-P5
CROSSINGS = ("threshold", "escalation")
SHIFTED = ("when that goal took effect", "when the ladder did not apply yet")

UPDATE = st.one_of(
    st.tuples(st.just("state"), st.sampled_from(
        ["in_progress", "on_hold", "in_progress", "resolved", "closed", "canceled", "new"])),
    st.tuples(st.just("assign"), st.sampled_from(["alex", None])),
    st.tuples(st.just("priority"), st.integers(1, 5)),
    st.tuples(st.just("tick"), st.none()),
)
STORY = st.fixed_dictionaries({
    "priority": st.integers(1, 5),
    "steps": st.lists(st.tuples(st.integers(1, 90), UPDATE), min_size=1, max_size=7),
    "tail": st.integers(0, 300),
})


class Tap(Evaluator):
    """The runner's own evaluator, noting when each decision key says it was crossed (the
    audit log keeps the key, not the instant). Hooked at the two public calls the runner's
    pipeline makes, so a change inside the Evaluator cannot make it see nothing."""

    crossed: ClassVar[dict[str, str]] = {}

    def evaluate(self, record: Any, now: datetime) -> Any:
        return self._note(super().evaluate(record, now))

    def evaluate_many(self, records: Any, now: datetime) -> Any:
        return (self._note(out) for out in super().evaluate_many(records, now))

    def _note(self, out: Any) -> Any:
        for decision in out:
            if decision.details and "crossed_at" in decision.details:
                self.crossed.setdefault(decision.key, decision.details["crossed_at"])
        return out


def _runner(desk: Any, ticket: str, clock: ManualClock, folder: Path) -> Runner:
    settings_ = desk.settings(ticket)
    config = {"apiVersion": "csi-rules/v1", "kind": "RunnerConfig", "policies": POLICIES,
              "state": {"database": str(folder / "state.db")}, "pollInterval": "1m",
              "backlog": "act",
              "adapters": [{"name": desk.name, "kinds": ["incident"], "settings": settings_}]}
    path = folder / "runner.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    Tap.crossed = {}
    return Runner(load_config(path), clock=clock, plugins=PLUGINS,
                  adapters={desk.name: desk.adapter(settings_)}, reporter=MemoryReporter(),
                  evaluator_factory=Tap)


def _replay(record: Any, end: datetime, folder: Path) -> list[dict[str, Any]]:
    history = folder / "history.jsonl"
    history.write_text(json.dumps(record.to_json(), default=_iso) + "\n")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["replay", *(a for p in POLICIES for a in ("--policies", p)),
                     "--history", str(history), "--to", end.isoformat(), "--format", "json"])
    assert code == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def drive(desk: Any, clock: ManualClock, story: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ticket = desk.open(story["priority"])
        runner = _runner(desk, ticket, clock, folder)
        try:
            applied = []
            assert not runner.run_once().errors
            for gap, (op, value) in story["steps"]:
                clock.advance(gap * 60)
                runner.run_once()  # the ticket as it stood just before this change
                # the change lands a second after that cycle: at one shared instant the runner
                # saw the ticket before the change while replay's snapshot at that instant
                # already holds it (a rung due at the very second of an assignment)
                clock.advance(1)
                if op != "tick" and desk.update(ticket, op, value):
                    applied.append((clock.now().isoformat(), op, value))
            clock.advance(story["tail"] * 60)
            runner.run_once()
            end = clock.now()
            decided = {e["decision_key"]: e for e in (dict(r.entry) for r in runner.store.audit())
                       if e.get("type") == "decision" and e.get("outcome") in CROSSINGS}
            policy_set = runner.policy_set
        finally:
            runner.close()
            for adapter in runner.adapters.values():
                adapter.close()
        reader = desk.adapter(desk.settings(ticket))
        record = reader.fetch_record(ticket)
        reader.close()
        lines = _replay(record, end, folder)
    story_text = f"{desk.name} story {story}, applied {applied}"
    assert all(not e.get("missed") for e in decided.values()), story_text
    decided = {k: e for k, e in decided.items() if e["record"]["id"] == record.id}
    events = {e["key"]: e for e in lines if "key" in e}
    replayed = {k: e for k, e in events.items() if e["outcome"] in CROSSINGS}
    assert sorted(decided) == sorted(replayed), story_text
    for key, event in replayed.items():
        live_at = datetime.fromisoformat(Tap.crossed[key])
        replay_at = datetime.fromisoformat(event["at"])
        if any(s in event["explanation"] for s in SHIFTED):
            assert live_at <= replay_at, (key, story_text)
        else:
            assert live_at == replay_at, (key, story_text)
    summary = lines[-1]["summary"]
    replay_end = {(row["policy"], row["metric"]): [c for c in ("achieved", "breached",
                                                               "cancelled", "open") if row[c]]
                  for row in summary["slas"]}
    live_end = {(s.policy, s.metric): ["open" if s.stage in ("not_started", "in_progress",
                                                             "paused") else s.stage]
                for s in sla_statuses(policy_set, record, end)}
    assert live_end == replay_end, story_text
    for status in sla_statuses(policy_set, record, end):
        key = f"{record.id}/{status.policy}/{status.metric}/breached/cycle-{status.cycle}"
        replay_breach = events.get(key, {}).get("at")
        live_breach = status.breached_at.isoformat() if status.breached_at else None
        assert live_breach == replay_breach, (key, story_text)


PLUGINS = load_plugins([servicenow_plugin, jira_plugin], entry_points=False)


@pytest.mark.parametrize("platform", sorted(DESKS))
def test_live_runner_decides_what_replay_of_the_fetched_history_decides(platform):
    clock = ManualClock(START)
    desk = DESKS[platform](clock)
    try:
        @settings(max_examples=20, deadline=None, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(story=STORY)
        @example(story={"priority": 1, "steps": [(30, ("priority", 4))], "tail": 0})  # wake-ups
        @example(story={"priority": 1, "steps": [(90, ("assign", "alex"))], "tail": 0})  # a tie
        @example(story={"priority": 2, "steps": [(5, ("state", "in_progress")),
                                                 (20, ("state", "on_hold")),
                                                 (60, ("state", "in_progress")),
                                                 (30, ("state", "resolved")),
                                                 (10, ("state", "in_progress")),
                                                 (45, ("assign", "alex"))], "tail": 120})
        def check(story: dict[str, Any]) -> None:
            drive(desk, clock, story)

        check()
    finally:
        desk.close()
