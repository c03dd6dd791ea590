"""``run.py export``: the tables of folders the real ``run`` and ``compare`` wrote, as CSV, Excel,
LaTeX and Markdown, read back with their own readers (pandas, openpyxl, a LaTeX structure check,
a Markdown table parse) and checked against the folders' own files."""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.tables import latex_text
from analysis_tests import conftest as shared
from sim.cli import main

# the folders the analysis tests make once per session, by the real commands
folders, run_folder, sweep_folder, tiny = shared.folders, shared.run_folder, shared.sweep_folder, shared.tiny


def export(folder, *args) -> int:
    return main(["export", str(folder), *map(str, args)])


def test_csv_of_a_run_holds_numbers_that_are_the_mean_and_percentiles_of_its_runs(run_folder, tmp_path):
    out = tmp_path / "t.csv"
    assert export(run_folder, "--out", out) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["metric", "name", "unit", "scenario", "year", "mean", "p05", "p95", "n"]
    assert all(pd.api.types.is_numeric_dtype(table[c]) for c in ("year", "mean", "p05", "p95", "n"))
    runs = pd.read_csv(run_folder / "yearly.csv")
    row = table.query("metric == 'gmv_total' and year == 2023").iloc[0]
    values = runs.loc[runs["year"] == 2023, "gmv_total"]
    assert row["mean"] == pytest.approx(values.mean(), rel=1e-12) and row["n"] == len(values) == 2
    assert row["p05"] == pytest.approx(values.quantile(0.05)) and row["p95"] == pytest.approx(values.quantile(0.95))
    assert row["name"] == "Trade value" and row["unit"] == "10⁴ CNY per year"


def test_xlsx_of_a_comparison_has_a_bold_header_numbers_and_a_manifest_sheet(folders, tmp_path):
    out = tmp_path / "t.xlsx"
    assert export(folders, "--out", out) == 0  # the format from the suffix
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["comparison", "manifest"]
    sheet = book["comparison"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Column", "Metric", "Unit", "Scenario", "Year"] and "Δ mean" in header
    assert all(c.font.bold for c in sheet[1])
    rows = pd.DataFrame(list(sheet.iter_rows(min_row=2, values_only=True)), columns=header).dropna(subset=["Year"])
    stored = pd.read_csv(folders / "comparison.csv")
    got = rows.query("Column == 'exchange_share' and Scenario == 'free' and Year == 2024").iloc[0]
    want = stored.query("metric == 'exchange_share' and scenario == 'free' and year == 2024").iloc[0]
    assert isinstance(got["Δ mean"], float) and got["Δ mean"] == pytest.approx(want["diff_mean"], rel=1e-12)
    assert got["Δ 95 % CI low"] == pytest.approx(want["diff_ci_low"]) and got["Runs"] == 2
    facts = dict(book["manifest"].iter_rows(min_row=2, values_only=True))
    assert facts["base: seeds"] == "1-2" and facts["free: replicates"] == "2" and "version: mesa" in facts


def test_latex_is_booktabs_pure_ascii_with_every_special_character_escaped(folders, tmp_path):
    out = tmp_path / "t.tex"
    assert export(folders, "--format", "tex", "--out", out, "--metric", "gmv_total", "--metric", "n_merchants") == 0
    text = out.read_text(encoding="ascii")  # fails on any non-ASCII byte
    lines = text.splitlines()
    rules = [lines.index(r) for r in (r"\toprule", r"\midrule", r"\bottomrule")]
    assert rules == sorted(rules)
    columns = len(re.search(r"\\begin\{tabular\}\{([lr]+)\}", text).group(1))
    body = lines[rules[0] + 1:rules[2]]
    rows = [line for line in body if line.endswith(r"\\")]
    assert len(rows) == 1 + 2 * 2 * 2  # the header, then 2 metrics × 2 scenarios × 2 years
    assert all(len(re.split(r"(?<!\\)&", row)) == columns for row in rows)
    assert r"\Delta$ mean" in rows[0] and "$10^{4}$ CNY per year" in text
    plain = re.sub(r"\$[^$]*\$", "", text)  # outside math, no bare _ % # would break LaTeX
    assert not re.search(r"(?<!\\)[_%#]", plain)
    assert text.count("{") == text.count("}")
    assert latex_text("tiny_free 5 % & #1 {x} ~ ^ Δ 10⁴ 万") == \
        r"tiny\_free 5 \% \& \#1 \{x\} \textasciitilde{} \textasciicircum{} $\Delta$ $10^{4}$ ?"


def test_markdown_parses_back_to_the_csv_numbers(folders, tmp_path):
    md, csv = tmp_path / "t.md", tmp_path / "t.csv"
    assert export(folders, "--out", md, "--metric", "exchange_share") == 0
    assert export(folders, "--out", csv, "--metric", "exchange_share") == 0
    lines = [line for line in md.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    header, rule, rows = cells[0], cells[1], cells[2:]
    assert all(set(c) <= set(":-") for c in rule) and all(len(r) == len(header) for r in rows)
    parsed = pd.DataFrame(rows, columns=header)
    stored = pd.read_csv(csv)
    assert len(parsed) == len(stored) == 2 * 2
    np.testing.assert_allclose(parsed["Mean"].str.replace(",", "").astype(float), stored["mean"], rtol=5e-3,
                               atol=5e-4)  # shares are shown to three decimals (sim.summary.number)
    assert parsed["Metric (unit)"].iloc[0] == "On-exchange share of trade (share)"
    assert parsed["Δ mean"].iloc[0] == ""  # the reference has no difference from itself


def test_export_without_out_writes_into_the_folder(run_folder, capsys):
    assert export(run_folder, "--format", "md") == 0
    assert (run_folder / "yearly_table.md").is_file() and "yearly table" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--format", "xlsx", "--out", "t.csv"], "the suffix .csv does not match --format xlsx"),
    (["--out", "t.docx"], "cannot tell the format from .docx"),
    (["--metric", "gdp"], "--metric gdp: unknown metric"),
])
def test_bad_export_arguments_are_one_clear_message_and_write_nothing(folders, tmp_path, monkeypatch, capsys,
                                                                      args, message):
    monkeypatch.chdir(tmp_path)
    assert export(folders, *args) == 2
    assert message in capsys.readouterr().err and not list(tmp_path.iterdir())


def test_export_refuses_a_sweep_folder_and_a_missing_one(sweep_folder, tmp_path, capsys):
    assert export(sweep_folder, "--out", tmp_path / "t.csv") == 2
    assert "is a sweep folder; tables come from the folder of run or compare" in capsys.readouterr().err
    assert export(tmp_path / "nothing") == 2
    assert "no such folder" in capsys.readouterr().err and not (tmp_path / "t.csv").exists()
