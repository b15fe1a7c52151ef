"""The built-in notification transports, one module each."""
