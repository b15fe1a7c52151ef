"""Operator output: a progress line on a terminal, JSON lines for log collectors."""

from __future__ import annotations

import io
import json

from csi_rules.cli.run_cmd import reporter_for
from csi_rules.runtime import SystemClock
from csi_rules.runtime.events import JsonLinesReporter, TerminalReporter


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_line_that_events_overwrite():
    stream = Tty()
    reporter = reporter_for(stream, SystemClock())
    assert isinstance(reporter, TerminalReporter)
    reporter.progress("servicenow", 500)
    reporter.progress("servicenow", 1000)
    reporter.event("sync_done", adapter="servicenow", records=1000)
    text = stream.getvalue()
    assert text.count("\r") >= 3 and "servicenow: 1000 records" in text
    assert text.endswith("sync_done adapter=servicenow records=1000\n")


def test_anything_else_gets_one_json_object_per_line():
    stream = io.StringIO()
    reporter = reporter_for(stream, SystemClock())
    assert isinstance(reporter, JsonLinesReporter)
    reporter.progress("servicenow", 500)
    reporter.event("sync_error", scope="sync servicenow", error="503")
    (line,) = stream.getvalue().splitlines()
    event = json.loads(line)
    assert (event["event"], event["level"], event["error"]) == ("sync_error", "error", "503")
