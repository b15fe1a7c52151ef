"""Always-on operation: config, state store, action ledger, wake-ups and the runner loop.

Driving one cycle from Python::

    from csi_rules.runtime import ManualClock, Runner, load_config
    config = load_config("examples/runner.yaml")
    with Runner(config, clock=ManualClock(start)) as runner:
        report = runner.run_once()
"""

from csi_rules.runtime.clock import Clock, ManualClock, SystemClock
from csi_rules.runtime.config import ConfigError, RunnerConfig, load_config, parse_config
from csi_rules.runtime.events import JsonLinesReporter, MemoryReporter, NullReporter
from csi_rules.runtime.faults import FaultHook
from csi_rules.runtime.metrics import Metrics
from csi_rules.runtime.runner import CycleReport, Runner
from csi_rules.runtime.sqlite_store import SqliteStore

__all__ = ["Clock", "ConfigError", "CycleReport", "FaultHook", "JsonLinesReporter",
           "ManualClock", "MemoryReporter", "Metrics", "NullReporter", "Runner", "RunnerConfig",
           "SqliteStore", "SystemClock", "load_config", "parse_config"]
