"""Replay ticket histories through SLA and escalation policies: the decisions over time.

Data flows one way: a history file (JSON lines of records with `history`, or a snapshot log
read through a SnapshotCsvMapping) is loaded into records (sources.py, snapshot_log.py,
history_jsonl.py); each ticket is replayed on the live SLA clocks and escalation ladders at a
few probe instants (probes.py, ticket.py); the events of all tickets are sorted by time and
summarised (run.py, summary.py); each ticket's any-SLA verdict is set beside the platform's
own and the disagreements can be written out (verdicts.py, disagreements.py).
`csi-rules replay` is the command (docs/replay.md).
"""

from csi_rules.replay.disagreements import write_disagreements
from csi_rules.replay.events import OUTCOMES, ReplayEvent
from csi_rules.replay.loaded import LoadedHistory
from csi_rules.replay.run import ReplayResult, history_end, replay
from csi_rules.replay.snapshot_log import load_snapshot_log
from csi_rules.replay.sources import load_history
from csi_rules.replay.summary import ReplaySummary
from csi_rules.replay.ticket import TicketReplay, replay_ticket
from csi_rules.replay.verdicts import MetricVerdict, TicketVerdict, ticket_verdict

__all__ = [
    "OUTCOMES", "LoadedHistory", "MetricVerdict", "ReplayEvent", "ReplayResult", "ReplaySummary",
    "TicketReplay", "TicketVerdict", "history_end", "load_history", "load_snapshot_log", "replay",
    "replay_ticket", "ticket_verdict", "write_disagreements",
]
