"""Jira Cloud / Data Center and Jira Service Management adapter for csi-rules, with an emulator."""

__version__ = "0.1.0"
