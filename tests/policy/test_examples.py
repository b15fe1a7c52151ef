"""Every example policy validates cleanly and has unit tests that pass."""

from __future__ import annotations

from csi_rules.policy.loader import iter_policy_files
from tests.conftest import POLICIES


def test_example_policies_validate_without_findings(cli):
    result = cli("validate", str(POLICIES))
    assert result.out == ""
    assert result.code == 0, result.err


def test_example_policy_unit_tests_pass(cli):
    result = cli("test", str(POLICIES))
    assert result.code == 0, result.out
    assert " 0 failed" in result.out


def test_every_example_policy_is_named_in_a_unit_test():
    import yaml

    names = set()
    for path in iter_policy_files([str(POLICIES)]):
        for doc in yaml.safe_load_all(path.read_text()):
            # a rota decides nothing: tests/notify/test_example_rota.py asks `oncall` about each
            if isinstance(doc, dict) and "metadata" in doc and doc.get("kind") != "OnCallRota":
                names.add(doc["metadata"]["name"])
    tested = set()
    for path in (POLICIES / "tests").glob("*.yaml"):
        for test in yaml.safe_load(path.read_text())["tests"]:
            tested |= {d.get("policy") for d in test["expect"].get("decisions", [])}
            tested |= {s.get(k) for s in test["expect"].get("slas", []) for k in ("policy", "calendar")}
            tested |= {t.get("policy") for t in test["expect"].get("trends", [])}
            tested |= {c.get("policy") for c in test["expect"].get("correlated", [])}
            if "gate" in test["expect"]:
                tested |= set(test.get("only", []))
    assert names and names <= tested, f"policies without tests: {sorted(names - tested)}"


def test_a_ticket_seen_three_times_is_not_three_tickets(cli, tmp_path):
    import json

    rec = {"id": "p1", "number": "INC1", "kind": "incident", "priority": 1, "service": "pay",
           "opened_at": "2026-03-02T09:00:00Z"}
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(rec) for _ in range(3)))
    result = cli("correlate", "--policies", str(POLICIES), "--records", str(path),
                 "--now", "2026-03-02T09:10:00Z")
    assert result.code == 0
    assert result.out == ""


def test_validation_reads_the_record_kinds_of_each_example_as_building_it_gives_them():
    from csi_rules.plugins import load_plugins
    from csi_rules.policy.kinds.base import applies_to
    from csi_rules.policy.validate import validate_paths

    plugins = load_plugins()
    report = validate_paths([str(POLICIES)], plugins)
    assert report.documents and not report.errors
    for doc in report.documents:
        kind = plugins.kinds.get(doc.data["kind"])
        assert applies_to(kind, doc) == kind.build(doc).applies_to, doc.name

    class BuildOnly:  # a plugin's kind that does not say: validation builds the policy
        build = plugins.kinds.get("SlaPolicy").build

    sla = next(d for d in report.documents if d.data["kind"] == "SlaPolicy")
    assert applies_to(BuildOnly(), sla) == ("incident",)  # type: ignore[arg-type]
