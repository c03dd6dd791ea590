"""README.md stays true to the code: every output column with its unit, every command."""

import argparse
from pathlib import Path

from sim.cli import build_parser
from sim.metrics import METRICS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
PER_YEAR = {"sum": "sum", "mean": "mean", "last": "year-end", "max": "maximum"}


def test_readme_lists_every_output_column_with_its_unit_and_yearly_rule():
    for m in METRICS:
        per_year = "ratio of sums" if m.year.startswith("ratio:") else PER_YEAR[m.year]
        row = f"| `{m.name}` | {m.unit} | {per_year} | {m.description.replace('|', chr(92) + '|')} |"
        assert row in README, f"README.md output columns: expected the row {row}"


def test_readme_names_every_command():
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for command in sub.choices:
        assert f"| `{command}" in README, f"README.md: the commands table lacks {command}"
