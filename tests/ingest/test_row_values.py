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
