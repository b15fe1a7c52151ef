from __future__ import annotations

import json

from tests.conftest import POLICIES


def test_monthly_points_under_a_weekly_policy_never_make_a_run(cli, tmp_path):
    series = tmp_path / "k.jsonl"
    points = [{"period": f"2026-0{m}-06", "metric": "mttr_hours", "service": "HR", "value": 20}
              for m in (1, 2, 3)]
    series.write_text("\n".join(json.dumps(p) for p in points))
    result = cli("kpi", "--policies", str(POLICIES), "--series", str(series), "--format", "json")
    assert result.code == 0
    # the policy counts weeks: points a month apart are not consecutive, so nothing triggers
    assert result.out == ""


def test_a_broken_point_names_its_line(cli, tmp_path):
    series = tmp_path / "k.jsonl"
    series.write_text('{"period": "2026-01-05", "metric": "m", "value": 1}\n'
                      '{"period": "2026-01-12", "metric": "m", "value": "slow"}\n')
    result = cli("kpi", "--policies", str(POLICIES), "--series", str(series))
    assert result.code == 2
    assert result.err == f"csi-rules: error: {series}:2: value must be a number, got 'slow'\n"
