"""``run.py plot``: figures from folders written by ``run.py run``, and clear errors."""

from __future__ import annotations

import pytest

from analysis_tests.support import INDICES
from sim.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.filterwarnings("ignore:no CJK font installed")  # --lang zh on a machine without one
@pytest.mark.parametrize("args", [
    ["--kind", "fan", "--metric", "exchange_share"],
    ["--kind", "diff", "--baseline", "base", "--lang", "zh"],
    ["--kind", "yearly", "--metric", "n_merchants"],
    ["--kind", "revenue"],
    ["--kind", "structure"],
    ["--kind", "key"],
])
def test_plot_writes_a_png_from_a_comparison_folder(folders, tmp_path, args, capsys):
    out = tmp_path / "figure.png"
    assert main(["plot", str(folders), *args, "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 10_000
    assert f"wrote {out}" in capsys.readouterr().out


def test_plot_draws_sensitivity_indices_and_writes_pdf(tmp_path):
    INDICES.to_csv(tmp_path / "indices.csv", index=False)
    out = tmp_path / "sobol.pdf"
    assert main(["plot", str(tmp_path), "--kind", "sobol", "--metric", "gmv_total", "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("args, message", [
    (["--metric", "gdp"], "unknown metric 'gdp'"),
    (["--kind", "diff"], "--kind diff needs --baseline"),
    (["--kind", "diff", "--baseline", "nope"], "baseline 'nope' not among scenarios"),
    (["--kind", "response"], "--kind response needs --parameter once"),
    (["--kind", "response", "--parameter", "policy.vouchers.rate"], "no column policy.vouchers.rate"),
    (["--kind", "morris"], "no sensitivity indices"),
])
def test_plot_errors_are_one_clear_message(folders, tmp_path, args, message, capsys):
    out = tmp_path / "figure.png"
    assert main(["plot", str(folders), *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err and not out.exists()


def test_plot_refuses_a_missing_folder(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "nothing"), "--out", str(tmp_path / "f.png")]) == 2
    assert "no such folder" in capsys.readouterr().err
