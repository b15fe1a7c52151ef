"""The few moments at which a replay must look at a ticket to see everything a live runner saw.

A status at the end of the history tells the thresholds crossed in the current cycle, measured
against the goal in effect at the end. What it cannot tell is what was true earlier and then
stopped being true: a cycle that ended (achieved, cancelled) before a reopen, crossings under a
goal that a priority change later replaced, or a ladder that applied to the ticket only while it
was P1/P2. So each clock is also read
  - just before the goal in effect changes (history up to, not including, the change), and
  - at each instant the clock stops or is cancelled, when the ticket is reopened later
    (history including that change; without a reopen the end of the history shows the stop),
and each ladder just before it stops applying. A probe is (number of snapshots, instant): the
clock runs over `snapshots[:count]` up to `instant`. This keeps a replay linear in the history
length instead of re-running the clock at every change.

Something that fell due before its goal or ladder applied to the ticket (a priority raised to
P1 after 20 minutes) happens when the goal starts to apply: that is when a live runner sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from csi_rules.escalation.model import Ladder
from csi_rules.sla.clock_view import ClockView
from csi_rules.sla.model import Metric, Target
from csi_rules.sla.timeline import Snapshot


@dataclass(frozen=True)
class Probe:
    count: int  # snapshots[:count] are visible
    at: datetime  # evaluation instant
    since: datetime | None = None  # when the SLA goal (or the ladder) in effect took effect


def sla_probes(metric: Metric, snaps: Sequence[Snapshot], end: datetime,
               views: Sequence[ClockView] | None = None) -> list[Probe]:
    """Probes for one SLA metric, in time order, ending with the end of the replay. `views`:
    the metric's verdicts on each snapshot when the caller has them (else asked here)."""
    if views is None:
        view_of = metric.conditions.view  # the clock's own remembered verdicts
        views = [view_of(snap.record) for snap in snaps]
    out: list[Probe] = []
    previous: Target | None = None
    since: datetime | None = None
    ending: Probe | None = None  # the clock stopped here; worth a look if it starts again
    for k, snap in enumerate(snaps):
        view = views[k]
        target = view.target
        if target is not previous:
            if k and previous is not None:
                out.append(Probe(k, snap.at, since))
            since, previous = snap.at, target
        ended = view.stop or view.cancel
        if ended and ending is None:
            ending = Probe(k + 1, snap.at, since)
        elif not ended and ending is not None:
            out.append(ending)  # reopened: the end probe would no longer see this stop
            ending = None
    if snaps:
        out.append(Probe(len(snaps), end, since))
    return out


def ladder_probes(ladder: Ladder, snaps: Sequence[Snapshot], end: datetime) -> list[Probe]:
    """Probes for one escalation ladder: just before it stops applying, and at the end."""
    out: list[Probe] = []
    since: datetime | None = None
    applies_to = ladder.applies
    for k, snap in enumerate(snaps):
        applies = applies_to(snap.record)
        if since is not None and not applies:
            out.append(Probe(k, snap.at, since))
            since = None
        elif applies and since is None:
            since = snap.at
    if snaps:
        out.append(Probe(len(snaps), end, since))
    return out
