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


def _readme_commands() -> list[list[str]]:
    """Every command line of the README's shell blocks (``python run.py …`` or ``datamarket …``), as arguments."""
    import re
    import shlex

    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:2] == ["python", "run.py"]:
                lines.append(words[2:])
            elif words[:1] == ["datamarket"]:
                lines.append(words[1:])
    return lines


def test_every_command_line_of_the_readme_is_accepted_by_the_parser():
    commands = _readme_commands()
    assert any("--set" in c for c in commands) and any(c[0] == "describe" and len(c) > 1 for c in commands)
    parser = build_parser()
    for argv in commands:
        try:
            parser.parse_args(argv)
        except SystemExit as exc:
            raise AssertionError(f"README.md: `{' '.join(argv)}` is refused by the command line") from exc


def test_readme_tours_the_workbench():
    for phrase in ("--set PATH=VALUE", "--name", "--no-cache", "DATAMARKET_CACHE", "~/.cache/datamarket",
                   "sim.run_many(", "sim.compare(", "describe low_fee.yaml", "`datamarket`", "make notebook"):
        assert phrase in README, f"README.md does not mention {phrase}"
