"""``run.py plot``: every kind of figure from folders the real commands wrote (``run``,
``compare``, ``sweep``, ``sensitivity``), and clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis_tests.support import BUDGET, RATE
from sim.cli import main

PNG = b"\x89PNG\r\n\x1a\n"
FOLDER_KINDS = [
    ["--kind", "fan", "--metric", "exchange_share"],
    ["--kind", "yearly", "--metric", "n_merchants"],
    ["--kind", "revenue"],
    ["--kind", "structure"],
    ["--kind", "key"],
]


def plot(folder, args, out) -> int:
    return main(["plot", str(folder), *args, "--out", str(out)])


def assert_png(out, capsys) -> None:
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 10_000
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize("args", FOLDER_KINDS, ids=lambda a: a[1])
def test_plot_writes_a_png_from_a_run_folder(run_folder, tmp_path, args, capsys):
    out = tmp_path / "figure.png"
    assert plot(run_folder, args, out) == 0
    assert_png(out, capsys)


@pytest.mark.filterwarnings("ignore:no CJK font installed")  # --lang zh on a machine without one
@pytest.mark.parametrize("args", [*FOLDER_KINDS, ["--kind", "diff", "--baseline", "base", "--lang", "zh"]],
                         ids=lambda a: a[1])
def test_plot_writes_a_png_from_a_comparison_folder(folders, tmp_path, args, capsys):
    out = tmp_path / "figure.png"
    assert plot(folders, args, out) == 0
    assert_png(out, capsys)


@pytest.mark.parametrize("args", [
    ["--kind", "response", "--metric", "voucher_spend", "--parameter", RATE],
    ["--kind", "heatmap", "--metric", "voucher_spend", "--parameter", RATE, "--parameter", BUDGET, "--year", "2023"],
], ids=["response", "heatmap"])
def test_plot_writes_a_png_from_a_sweep_folder(sweep_folder, tmp_path, args, capsys):
    out = tmp_path / "figure.png"
    assert plot(sweep_folder, args, out) == 0
    assert_png(out, capsys)


@pytest.mark.parametrize("kind", ["sobol", "morris"])
def test_plot_draws_the_indices_sensitivity_wrote_under_their_outcome_names(sensitivity_folders, tmp_path, kind):
    folder = sensitivity_folders[kind]
    assert pd.read_csv(folder / "indices.csv")["metric"].unique().tolist() == ["voucher_spend:2024",
                                                                                "gmv_total:2023"]
    for metric in ("voucher_spend:2024", "gmv_total"):  # the outcome as written, or its metric alone
        out = tmp_path / f"{kind}.pdf"
        assert plot(folder, ["--kind", kind, "--metric", metric], out) == 0
        assert out.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("args, message", [
    (["--metric", "gdp"], "unknown metric 'gdp'"),
    (["--metric", "gmv_total:2024"], "METRIC:YEAR names an outcome of sensitivity indices"),
    (["--kind", "diff"], "--kind diff needs --baseline"),
    (["--kind", "diff", "--baseline", "nope"], "baseline 'nope' not among scenarios"),
    (["--kind", "response"], "--kind response needs --parameter once"),
    (["--kind", "response", "--parameter", "policy.vouchers.rate"], "no column policy.vouchers.rate"),
    (["--kind", "morris"], "no sensitivity indices"),
])
def test_plot_errors_are_one_clear_message(folders, tmp_path, args, message, capsys):
    out = tmp_path / "figure.png"
    assert plot(folders, args, out) == 2
    assert message in capsys.readouterr().err and not out.exists()


def test_plot_of_a_sweep_folder_refuses_what_a_sweep_does_not_keep(sweep_folder, sensitivity_folders, tmp_path,
                                                                   capsys):
    out = tmp_path / "figure.png"
    assert plot(sweep_folder, ["--kind", "structure"], out) == 2
    assert "keeps metrics only, no products" in capsys.readouterr().err
    assert plot(sensitivity_folders["sobol"], ["--kind", "sobol", "--metric", "n_products"], out) == 2
    assert "no indices for metric 'n_products'" in capsys.readouterr().err and not out.exists()


def test_plot_refuses_a_missing_folder(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "nothing"), "--out", str(tmp_path / "f.png")]) == 2
    assert "no such folder" in capsys.readouterr().err
