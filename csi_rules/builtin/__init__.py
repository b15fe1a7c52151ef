"""Built-in plugins: the core's own behaviour, registered through the same hooks as any plugin."""
