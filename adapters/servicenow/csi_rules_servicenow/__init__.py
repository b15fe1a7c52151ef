"""csi-rules ServiceNow plugin: the Table API adapter and its loopback emulator."""

__version__ = "0.1.0"
