"""The Jira / JSM emulator: `JiraEmulator(host, port, seed_dir).start()`; see server.py."""

from csi_rules_jira.emulator.server import JiraEmulator

__all__ = ["JiraEmulator"]
