"""Reading input files into records: shared by the change loaders and the history loaders.

Files are opened here (a .zip read in place, sources.py), broken rows are raised or skipped in
one way (problems.py), CSV is read through a column mapping (mapping.py, csv_rows.py,
csv_cells.py, record_check.py) and JSON lines through parse_record (record_lines.py); the
reader is picked from the file name (formats.py). csi_rules/conflicts/loading and
csi_rules/replay build their own results on top.
"""
