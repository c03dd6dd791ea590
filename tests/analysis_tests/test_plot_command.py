"""``run.py plot``: every kind of figure from folders the real commands wrote (``run``,
``compare``, ``sweep``, ``sensitivity``), and clear errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from analysis import labels
from analysis.axes import BASELINE_COLOR, EVENT_GID
from analysis_tests.conftest import cli
from analysis_tests.support import BUDGET, RATE, legend_texts
from sim.cli import build_parser, main
from sim.commands.plot import draw

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
@pytest.mark.parametrize("args", [*FOLDER_KINDS, ["--kind", "diff", "--baseline", "base", "--lang", "zh",
                                                  "--allow-fallback"]],
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


def test_a_run_folder_has_no_reference_so_diff_needs_a_baseline(run_folder, tmp_path, capsys):
    out = tmp_path / "figure.png"
    assert plot(run_folder, ["--kind", "diff"], out) == 2
    assert "--kind diff needs --baseline" in capsys.readouterr().err and not out.exists()


def figure_of(folder, *args):
    """The figure ``python run.py plot FOLDER ARGS`` would write, as matplotlib objects."""
    return draw(build_parser().parse_args(["plot", str(folder), *args, "--out", "unused.png"]))


def test_diff_of_a_comparison_folder_takes_its_reference_without_being_told(folders, tmp_path, capsys):
    ax = figure_of(folders, "--kind", "diff", "--metric", "gmv_total").axes[0]
    assert ax.get_legend().get_title().get_text().startswith("difference from base")
    assert legend_texts(ax) == ["free"]
    assert plot(folders, ["--kind", "diff"], tmp_path / "diff.png") == 0


def test_fan_of_a_folder_marks_its_policy_events_and_names_the_metric_in_words(folders):
    ax = figure_of(folders, "--kind", "fan", "--metric", "exchange_share").axes[0]
    assert ax.get_ylabel() == "On-exchange share of trade (share)"
    marked = {pd.Timestamp(line.get_xdata()[0]).strftime("%Y-%m") for line in ax.get_lines() if line.get_gid() == EVENT_GID}
    timeline = pd.DataFrame(json.loads((folders / "base" / "manifest.json").read_text())["resolved_scenario"]["timeline"])
    assert marked == set(timeline["date"]) and "2024-06" in marked  # every event of the 18 months, none outside
    notes = " ".join(t.get_text() for t in ax.texts if t.get_gid() == EVENT_GID)
    assert "found data group" in notes and "compliance regime · cultivation" in notes  # one line per date


def test_the_reference_scenario_is_drawn_first_in_a_fixed_colour_whatever_its_name(tiny, tmp_path):
    out = tmp_path / "zz"  # a reference whose name sorts after the other's
    cli("compare", tiny / "free.yaml", tiny / "base.yaml", "--replicates", 1, "--out", out)
    for kind in ("fan", "yearly"):
        ax = figure_of(out, "--kind", kind).axes[0]
        handles, names = ax.get_legend_handles_labels()
        assert names == ["free", "base"]
        assert to_rgba(handles[0].get_color() if kind == "fan" else handles[0].patches[0].get_facecolor()) \
            == to_rgba(BASELINE_COLOR)


def test_legends_of_revenue_bars_lie_outside_the_bars(folders):
    ax = figure_of(folders, "--kind", "revenue").axes[0]
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1


def test_chinese_without_a_cjk_font_stops_with_the_install_hint_unless_told_to_fall_back(folders, tmp_path,
                                                                                         monkeypatch, capsys):
    monkeypatch.setattr(labels, "cjk_font", lambda: None)  # the machine as if no CJK font were installed
    out = tmp_path / "figure.png"
    assert plot(folders, ["--lang", "zh"], out) == 2
    assert "apt-get install fonts-noto-cjk" in capsys.readouterr().err and not out.exists()
    assert plot(folders, ["--lang", "zh", "--allow-fallback"], out) == 0
    assert "warning: no CJK font installed" in capsys.readouterr().err and out.read_bytes()[:8] == PNG
