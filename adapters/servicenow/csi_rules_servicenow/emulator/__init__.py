"""A faithful-enough ServiceNow Table API on 127.0.0.1, for tests, benchmarks and the demo."""

from csi_rules_servicenow.emulator.server import ServiceNowEmulator, emulator_factory

__all__ = ["ServiceNowEmulator", "emulator_factory"]
