"""Loaders: results and comparison folders written by ``run.py run``, sweep folders, memory."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import load_indices, load_metrics, load_products
from analysis_tests.support import BUDGET, RATE
from sim.metrics import NAMES


def test_a_results_folder_reads_back_what_run_wrote(folders):
    metrics = load_metrics(folders / "base")
    assert set(metrics.scenario) == {"base"} and sorted(metrics.run_id.unique()) == [0, 1]
    assert len(metrics) == 2 * 36 and set(NAMES) <= set(metrics.columns)
    products = load_products(folders / "base")
    assert set(products.scenario) == {"base"} and sorted(products.run_id.unique()) == [0, 1]
    assert products.revenue.sum() > 0


def test_a_comparison_folder_reads_every_scenario(folders):
    assert sorted(load_metrics(folders).scenario.unique()) == ["base", "free"]
    assert sorted(load_products(folders).scenario.unique()) == ["base", "free"]


def test_products_of_results_in_memory_carry_scenario_and_run(results):
    products = load_products(results)
    assert products.groupby("scenario").run_id.nunique().to_dict() == {"base": 3, "free": 3}
    assert len(products) == sum(len(r.products) for r in results)


def test_a_sweep_folder_joins_metrics_parts_to_their_runs(sweep, tmp_path):
    runs = sweep.drop_duplicates("run_id")[["run_id", RATE, BUDGET]].rename(columns={"run_id": "point_id"})
    failed = pd.DataFrame({"point_id": [4], RATE: [0.9], BUDGET: [0.0]})
    runs = pd.concat([runs, failed]).assign(replicate=0, status=["ok"] * 4 + ["failed"])
    runs.to_parquet(tmp_path / "runs.parquet")
    for point, run in sweep.groupby("run_id"):
        part = tmp_path / "metrics" / f"point_id={point}"
        part.mkdir(parents=True)
        run.drop(columns=[RATE, BUDGET]).assign(replicate=0).to_parquet(part / "part-0.parquet")
    loaded = load_metrics(tmp_path)
    assert set(loaded.status) == {"ok"}  # the failed run has no metrics and drops out
    order = ["run_id", "date"]
    pd.testing.assert_frame_equal(loaded.sort_values(order)[sweep.columns].reset_index(drop=True),
                                  sweep.sort_values(order).reset_index(drop=True), check_dtype=False)


def test_folders_that_hold_no_results_are_refused(tmp_path, folders):
    with pytest.raises(FileNotFoundError, match="no results folder"):
        load_metrics(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="expected metrics.parquet"):
        load_metrics(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(folders / "base", copy)
    (copy / "products.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="no products.parquet"):
        load_products(copy)
    with pytest.raises(FileNotFoundError, match="no sensitivity indices"):
        load_indices(tmp_path)
