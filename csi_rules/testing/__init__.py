"""Policy unit tests: YAML files that give records and `now` and expect decisions (like `opa test`)."""
