"""Start-up of the console script: the collector skips the modules it loaded, and only there."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import POLICIES


def _after_main(call: str) -> str:
    code = ("import gc, sys; sys.argv = ['csi-rules', 'validate', sys.argv[1]]; "
            "from csi_rules.cli import console_script, main; "
            f"code = {call}; print(code, gc.isenabled(), gc.get_freeze_count() > 0)")
    done = subprocess.run([sys.executable, "-c", code, str(POLICIES)], capture_output=True,
                          text=True, check=True)
    assert done.stderr.startswith("ok: ") and " 0 error(s)" in done.stderr
    return done.stdout.strip()


def test_the_console_script_freezes_its_start_up_objects_and_collects_again():
    assert _after_main("console_script()") == "0 True True"


def test_a_caller_in_the_same_process_keeps_its_objects_to_the_collector():
    assert _after_main("main()") == "0 True False"
    assert _after_main("main(sys.argv[1:])") == "0 True False"
