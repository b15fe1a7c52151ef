"""The clock's remembered verdicts (sla.clock_view) are the verdicts the conditions give: the
same answers as evaluating start/stop/pause/cancel and the targets afresh, for values of every
type a record may hold (1, 1.0, True and "1" never share an answer)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.policy.loader import load_text
from csi_rules.records.model import Record
from csi_rules.sla.clock_view import MetricConditions, view_of

POLICY = """
apiVersion: csi-rules/v1
kind: SlaPolicy
metadata: {name: sla}
spec:
  clock:
    start: {field: state, ne: new}
    pause: {field: state, in: [on_hold, 1]}
    stop: {any: [{field: assignee, exists: true}, {field: state, eq: resolved}]}
    cancel: {field: raw.flag, eq: true}
  metrics:
    - name: response
      targets:
        - {when: {field: priority, eq: 1}, target: 15m}
        - {when: {field: priority, lte: 2.5}, target: 30m}
        - {when: {field: category, matches: "^net"}, target: 1h}
        - {target: 4h}
"""

_value = st.one_of(st.none(), st.booleans(), st.integers(-1, 3), st.sampled_from([1.0, 2.5, 0.0,
                   -0.0, float("nan")]), st.sampled_from(["new", "on_hold", "resolved", "1",
                   "network", "", "alice"]), st.lists(st.sampled_from(["on_hold", 1]), max_size=2),
                   st.just(datetime(2026, 1, 1, tzinfo=UTC)))
_FIELDS = ("state", "assignee", "priority", "category")


def _metric(plugins):
    docs, findings = load_text(POLICY, "sla.yaml")
    assert not findings
    return plugins.kinds.get("SlaPolicy").build(docs[0]).compiled.metrics[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.fixed_dictionaries({}, optional={f: _value for f in _FIELDS}),
                          st.one_of(st.none(), _value)), min_size=1, max_size=30))
def test_remembered_verdicts_equal_fresh_ones(plugins, records) -> None:
    metric = _metric(plugins)
    conditions = MetricConditions(metric)
    for fields, flag in records:
        data = {"id": "r", "kind": "incident", **fields,
                **({"raw": {"flag": flag}} if flag is not None else {})}
        record = Record(data)
        assert conditions.view(record) == view_of(metric, record)
