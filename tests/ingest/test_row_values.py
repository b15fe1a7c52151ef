"""RowReader.values (the snapshot loader's tuple of values) reads what RowReader.read reads:
the same value per field, None where read gives none, and the same CellError on a broken row,
on both shipped mappings (constants, firstOf with patterns, value maps, dates, lists)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from csi_rules.ingest.csv_cells import CellError, RowReader
from csi_rules.ingest.mapping import load_mapping
from tests.conftest import ROOT

CASES = [
    ("rabobank-changes.yaml", "ChangeCsvMapping",
     ROOT / "tests" / "conflicts" / "data" / "rabobank-detail-change-extract.csv"),
    ("uci-incident-log.yaml", "SnapshotCsvMapping",
     ROOT / "tests" / "replay" / "data" / "uci-incident-log-extract.csv"),
]


def _read(call: Any, row: list[str]) -> Any:
    try:
        return call(row)
    except CellError as exc:
        return ("error", exc.column, exc.message)


@pytest.mark.parametrize(("name", "kind", "data"), CASES)
def test_values_are_reads_values_cell_for_cell(name: str, kind: str, data: Path):
    mapping = load_mapping(ROOT / "policies" / "mappings" / name, kind)
    with data.open(encoding=mapping.encoding, newline="") as stream:
        rows = list(csv.reader(stream, delimiter=mapping.delimiter))
    header = [h.strip() for h in rows[0]]
    reader = RowReader(mapping, {c: header.index(c) for c in mapping.columns()})
    broken = []  # each row again with one mapped cell spoilt
    for row in rows[1:4]:
        for position in sorted({header.index(c) for c in mapping.columns()}):
            spoilt = list(row)
            spoilt[position] = "not a value 31/2/2016"
            broken.append(spoilt)
    for row in [*rows[1:], *broken, *rows[1:]]:  # the second pass reads remembered cells
        read = _read(reader.read, row)
        values = _read(reader.values, row)
        if isinstance(read, tuple):
            assert values == read
        else:
            assert values == tuple(read[f][0] if f in read else None for f in reader.fields)


FIRST_OF_LIST = """apiVersion: csi-rules/v1
kind: ChangeCsvMapping
metadata: {name: first-of-list}
spec:
  fields:
    id: {column: ID}
    configuration_items:
      split: "|"
      firstOf: [{column: CIs}, {column: Fallback}]
    change_type:
      firstOf:
        - {column: Model, values: {E: emergency, "-": null}}
        - {column: Kind, patterns: [{match: '^Std', value: standard}]}
"""


def test_first_of_answers_are_remembered_but_lists_stay_each_rows_own(tmp_path: Path):
    path = tmp_path / "mapping.yaml"
    path.write_text(FIRST_OF_LIST)
    mapping = load_mapping(path)
    header = ["ID", "CIs", "Fallback", "Model", "Kind"]
    reader = RowReader(mapping, {c: header.index(c) for c in mapping.columns()})
    at = {f: i for i, f in enumerate(reader.fields)}
    first = reader.values(["C1", "", "a|b", "-", "Std 1"])
    second = reader.values(["C2", "", "a|b", "-", "Std 1"])
    assert first[at["configuration_items"]] == second[at["configuration_items"]] == ["a", "b"]
    assert first[at["configuration_items"]] is not second[at["configuration_items"]]
    assert first[at["change_type"]] == second[at["change_type"]] == "standard"
    for _ in range(2):  # a cell no source can read is an error on every row that has it
        with pytest.raises(CellError, match="matches none of the patterns"):
            reader.values(["C3", "x", "", "-", "Release 1"])
