"""The contract for platform emulators: real HTTP servers on loopback for tests and the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol


class Emulator(Protocol):
    """A running emulator; `url` is its base URL on 127.0.0.1."""

    url: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


EmulatorFactory = Callable[..., Emulator]
"""factory(host="127.0.0.1", port=0, seed_dir: Path | None = None, *, shift_to_now=False,
clock=None) -> Emulator; `shift_to_now` moves the seed's times so its newest ticket is an hour
before the emulator's clock (`csi-rules emulate --relative-dates`, `csi-rules demo`)."""

__all__ = ["Emulator", "EmulatorFactory", "Path"]
