"""The shipped holidays country table is what the installed `holidays` release says."""

from __future__ import annotations

import json
from pathlib import Path

from csi_rules.calendars import country_table

SHIPPED = Path(country_table.__file__).with_name(country_table.FILE)


def test_the_shipped_table_is_current_for_the_installed_holidays_release() -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert shipped == country_table.build_table(), (
        "stale: run python -m csi_rules.calendars.country_table")
    assert country_table.shipped_table() is not None


def test_checking_a_country_does_not_import_the_holidays_package() -> None:
    import subprocess
    import sys

    code = ("import sys; from csi_rules.calendars.country import check_country; "
            "print(check_country('NL', None), check_country('US', 'California'), "
            "check_country('NLD', None), 'holidays' in sys.modules, "
            "'importlib.metadata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[] [] [] False False"
