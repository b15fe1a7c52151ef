"""Benchmarks for csi-rules: run with `python -m bench [--quick]` or `python -m bench differential`.

Every figure is printed next to a baseline measured in the same run; nothing here is a test.
"""
