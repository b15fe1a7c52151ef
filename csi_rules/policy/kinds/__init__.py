"""Policy kinds: one module per kind, each owning its schema, checks and build step."""
