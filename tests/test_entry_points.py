"""The entry-point scan finds what importlib.metadata finds, without importing it."""

from __future__ import annotations

from importlib.metadata import distributions

from csi_rules import entry_points


def test_finds_what_importlib_metadata_finds_on_this_install():
    for group in ("csi_rules", "console_scripts"):
        expected = {(ep.name, ep.value, dist.metadata["Name"], dist.version)
                    for dist in distributions() for ep in dist.entry_points if ep.group == group}
        found = entry_points.find(group)
        assert found is not None
        assert {(e.name, e.value, e.dist, e.version) for e in found} == expected


def test_reads_a_distribution_declared_in_a_plain_directory(tmp_path):
    dist = tmp_path / "acme_rules-2.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 2.1\n\n"
                                   "Name: not a header\n")
    (dist / "entry_points.txt").write_text(
        "[console_scripts]\nacme = acme.cli:main\n\n[csi_rules]\n# a comment\n"
        "acme = json:dumps [extra]\n")
    (tmp_path / "broken.dist-info").mkdir()  # no files at all: ignored
    found = entry_points.find("csi_rules", [str(tmp_path), str(tmp_path / "missing")])
    assert found == [entry_points.EntryPoint("acme", "json:dumps", "acme-rules", "2.1")]
    import json

    assert found[0].load() is json.dumps


def test_a_zip_on_the_path_defers_to_importlib_metadata(tmp_path):
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    assert entry_points.find("csi_rules", [str(archive)]) is None


def test_the_version_of_an_installed_distribution_is_its_metadatas():
    from importlib.metadata import version

    assert entry_points.version_of("holidays") == version("holidays")
    assert entry_points.version_of("PyYAML") == version("PyYAML")
    assert entry_points.version_of("no-such-project-here") is None
