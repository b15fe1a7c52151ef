"""The cyclic garbage collector paused while a large input loads, and the result frozen.

A large input (the UCI log: 24,918 tickets built from 141,712 rows) builds millions of
long-lived objects and no cyclic garbage; the collector would walk them again and again while
they load (a fifth to a quarter of the load time) and on every full collection afterwards.
Commands that load a whole file and then work on it (`evaluate`, `replay`) load inside
`loaded_objects_frozen()` and call `gc.unfreeze()` when they finish.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loaded_objects_frozen() -> Iterator[None]:
    """No cycle collection while records load, and what they leave frozen afterwards.

    A large input builds millions of long-lived objects and no cyclic garbage; the collector
    would walk them again and again (a fifth of the load time of the UCI log), and again on
    every full collection while they are worked on. The caller unfreezes them at the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()
