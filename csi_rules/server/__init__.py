"""The HTTP face of the runner: webhooks, the change gate for pipelines, health and metrics."""

from csi_rules.server.app import CsiServer
from csi_rules.server.context import ServerContext

__all__ = ["CsiServer", "ServerContext"]
