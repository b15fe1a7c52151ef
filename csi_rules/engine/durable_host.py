"""The only module that imports durable-rules: a synchronous, locked, bounded host.

Hazards of durable-rules 2.0.28 (as measured in the project's durable-rules findings) handled
here; `facts` and `network` handle the ones about types, names and fixed limits:

* background threads: `Host.__init__` starts two self-re-arming timers that run actions
  behind `post()`'s back; `SyncHost` overrides `_run`, so no thread is ever started.
* no internal locking: one lock per runtime around every call.
* sessions: every fact goes into the single session `naming.SID` of its ruleset, so a
  ruleset never has more than one live sid (durable breaks at 1,024), no sid is ever
  deleted (deleting a non-newest one corrupts it), and record ids are never sids.
* identity by 32-bit hash: a fact's `id` is a generated integer from `naming.message_ids`,
  whose hashes are pairwise distinct and distinct from the state message's id, so two facts
  of one batch can never be taken for one message. Each action reports the `id` of the fact
  it fired for and every batch is checked (each fact answered, nothing for unknown ids), so
  one record's result cannot silently land on another's.
* swallowed errors: action exceptions end up in `state['exception']`; it is checked after
  every call and raised as EngineError, and the runtime is then marked broken (the state
  keeps the exception) so callers rebuild it. durable's numeric error codes are translated.
* `MessageNotHandledException` / `post_batch` skipping actions when its last event is
  unmatched: impossible, every ruleset has a catch-all rule (`compiler`).
* re-firing on durable's own state message: impossible, every rule tests the marker that
  only our facts carry, and actions never write `c.s`.

Not handled here, because nothing in csi-rules uses them: timers (in-memory, whole seconds,
fired from a background thread), correlated multi-pattern rules (out-of-bounds read in
`$and` joins), persistence callbacks. Rulesets cannot be unregistered from a host: each
runtime keeps its rulesets' C memory until the process ends, which is one more reason the
default isolation is a worker process (closing the matcher returns that memory).
"""

from __future__ import annotations

import copy
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import durable_rules_engine
from durable import engine

from csi_rules.engine.naming import SID, message_ids
from csi_rules.engine.program import CompiledProgram, ShardPlan
from csi_rules.errors import EngineError

# durable 2.0.28 calls datetime.utcfromtimestamp in every action (deprecated on 3.12)
warnings.filterwarnings("ignore", message=r"datetime\.datetime\.utcfromtimestamp",
                        category=DeprecationWarning, module=r"durable\.engine")

MAX_BATCH = 2048
CATCH_ALL_INDEX = -1
_IDS = message_ids(MAX_BATCH)

ERROR_CODES: dict[int, str] = {
    101: "out of memory (or 1,024 live sessions in one ruleset)",
    102: "unexpected type in a ruleset or message",
    103: "identifier too long",
    104: "unexpected value",
    105: "unexpected name in a ruleset",
    106: "too many rules",
    107: "too many 'exists' tests",
    108: "too many rules on one test",
    109: "rule without qualifier",
    111: "invalid ruleset handle",
    112: "too many rulesets",
    113: "too many expressions",
    201: "message parse error (value)",
    202: "message parse error (string)",
    203: "message parse error (number)",
    204: "message parse error (object)",
    205: "message parse error (array)",
    302: "more than 255 properties in one message",
    303: "too many tests matched at once (durable's stack holds 64)",
    304: "too many messages in one frame",
    305: "message not found",
    306: "location not found",
    307: "node deleted",
    308: "node is dispatching",
    309: "session not found",
    310: "no action available",
    311: "property not found",
    312: "operation not supported",
    313: "message too large",
    314: "property too large",
    501: "regex parse error",
    502: "regex: too many transitions",
    503: "regex: too many states",
    504: "regex: queue full",
    505: "regex: list full",
    506: "regex: set full",
    507: "regex conflict",
    508: "invalid regex",
}
_CODE_RE = re.compile(r"error code: (\d+)")

ActionHook = Callable[[str, int], None]


def describe_durable_error(exc: BaseException) -> str:
    """durable's exception as one line, with its numeric code spelled out."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    found = _CODE_RE.search(text)
    if found:
        code = int(found.group(1))
        meaning = ERROR_CODES.get(code, "unknown error")
        return f"{text} ({meaning})"
    return text


class SyncHost(engine.Host):
    """A durable Host without its dispatch threads: actions run only inside our calls."""

    def _run(self) -> None:
        """Do not start the background dispatch/timer threads."""


class DurableRuntime:
    """Registers a compiled program on a SyncHost and answers `fire()` under one lock."""

    def __init__(self, program: CompiledProgram, action_hook: ActionHook | None = None):
        self._lock = threading.Lock()
        self._sink: list[tuple[Any, int]] = []
        self._hook = action_hook
        self._broken = ""
        self._host = SyncHost()
        definitions = {shard.ruleset: self._with_actions(shard) for shard in program.shards()}
        try:
            self._host.register_rulesets(definitions)
        except Exception as exc:
            raise EngineError(f"durable-rules refused the rulesets: "
                              f"{describe_durable_error(exc)}") from None

    def _with_actions(self, shard: ShardPlan) -> dict[str, Any]:
        definition = copy.deepcopy(shard.definition)
        for rule_name, rule in definition.items():
            index = shard.rule_specs.get(rule_name, CATCH_ALL_INDEX)
            rule["run"] = self._action(shard.ruleset, index)
        return definition

    def _action(self, ruleset: str, index: int) -> Callable[[Any], None]:
        sink, hook = self._sink, self._hook

        def action(c: Any) -> None:
            if hook is not None:
                hook(ruleset, index)
            sink.append((c.m.id, index))

        return action

    @property
    def broken(self) -> str:
        """Why this runtime must not be used any more ("" while it is healthy)."""
        return self._broken

    def fire(self, ruleset: str, facts: Sequence[dict[str, Any]], collect: bool) -> list[list[int]]:
        """Spec indices that fired for each fact, ascending; [] where only the catch-all did.

        `collect=False` posts events (first match by `pri`), `collect=True` asserts facts
        (every match) and retracts them again. The fact dicts get `sid` and `id` set.
        """
        out: list[list[int]] = []
        with self._lock:
            for start in range(0, len(facts), MAX_BATCH):
                out.extend(self._fire(ruleset, facts[start:start + MAX_BATCH], collect))
        return out

    def _fire(self, ruleset: str, facts: Sequence[dict[str, Any]],
              collect: bool) -> list[list[int]]:
        if self._broken:
            raise EngineError(f"durable runtime is unusable after an earlier failure: "
                              f"{self._broken}")
        ids = _IDS[:len(facts)]
        for fact, mid in zip(facts, ids, strict=True):
            fact["sid"] = SID
            fact["id"] = mid
        sink = self._sink
        sink.clear()
        try:
            if collect:
                self._call(self._host.assert_facts, ruleset, list(facts))
                fired = sink[:]
                sink.clear()
                self._call(self._host.retract_facts, ruleset,
                           [{"sid": SID, "id": mid} for mid in ids], expect_state=False)
                if sink:
                    self._fail(f"{ruleset}: retracting facts fired {len(sink)} action(s)")
            else:
                self._call(self._host.post_batch, ruleset, list(facts))
                fired = sink[:]
        finally:
            sink.clear()
        return self._collate(ruleset, ids, fired, collect)

    def _call(self, method: Callable[..., Any], ruleset: str, messages: list[dict[str, Any]],
              expect_state: bool = True) -> None:
        try:
            state = method(ruleset, messages)
        except EngineError:
            raise
        except Exception as exc:
            self._fail(f"{ruleset}: {describe_durable_error(exc)}")
        if expect_state and not isinstance(state, dict):
            self._fail(f"{ruleset}: durable ran no action for the batch (returned {state!r})")
        if isinstance(state, dict) and state.get("exception"):
            first_line = str(state["exception"]).splitlines()[0][:300]
            self._fail(f"{ruleset}: an action failed: {first_line}")

    def _fail(self, reason: str) -> NoReturn:
        self._broken = reason
        raise EngineError(f"durable-rules: {reason}")

    def _collate(self, ruleset: str, ids: Sequence[int], fired: list[tuple[Any, int]],
                 collect: bool) -> list[list[int]]:
        position = {mid: i for i, mid in enumerate(ids)}
        hits: list[set[int]] = [set() for _ in ids]
        answered = [0] * len(ids)
        for mid, index in fired:
            i = position.get(mid)
            if i is None:
                self._fail(f"{ruleset}: an action fired for unknown message id {mid!r}")
            if index == CATCH_ALL_INDEX or not collect:
                answered[i] += 1
            if index != CATCH_ALL_INDEX:
                hits[i].add(index)
        wrong = [i for i, n in enumerate(answered) if n != 1]
        if wrong:
            self._fail(f"{ruleset}: fact #{wrong[0]} was answered {answered[wrong[0]]} times "
                       "instead of once")
        return [sorted(h) for h in hits]

    def session_state(self, ruleset: str, sid: str) -> dict[str, Any] | None:
        """durable's state for one session, or None when it has no such session (error 309)."""
        with self._lock:
            try:
                state = self._host.get_state(ruleset, sid)
            except durable_rules_engine.error as exc:
                if "309" in str(exc):
                    return None
                raise EngineError(describe_durable_error(exc)) from None
        return dict(state)
