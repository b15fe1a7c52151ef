"""Fixtures the CLI tests share with other test packages."""

from __future__ import annotations

from tests.replay.conftest import write_log  # noqa: F401  (a UCI-shaped CSV for evaluate --mapping)
