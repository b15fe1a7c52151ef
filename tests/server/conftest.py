"""The runtime fixtures (emulator, manual clock, runner factory) are shared with these tests."""

from tests.runtime.conftest import clock, make_runner, sn, sn_plugins  # noqa: F401
