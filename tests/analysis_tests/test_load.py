"""Loaders: results, comparison and sweep folders written by the real commands, and memory."""

from __future__ import annotations

import shutil

import pytest

from analysis import load_indices, load_metrics, load_products
from analysis_tests.support import BUDGET, RATE
from sim.errors import FolderError, SweepError
from sim.metrics import NAMES
from sim.sweeps import SweepResult


def test_a_results_folder_reads_back_what_run_wrote(run_folder):
    metrics = load_metrics(run_folder)
    assert set(metrics.scenario) == {"base"} and sorted(metrics.run_id.unique()) == [0, 1]
    assert len(metrics) == 2 * 18 and set(NAMES) <= set(metrics.columns)
    products = load_products(run_folder)
    assert set(products.scenario) == {"base"} and sorted(products.run_id.unique()) == [0, 1]
    assert products.revenue.sum() > 0


def test_a_comparison_folder_reads_every_scenario_in_the_compared_order(folders):
    assert load_metrics(folders).scenario.unique().tolist() == ["base", "free"]
    assert load_products(folders).scenario.unique().tolist() == ["base", "free"]
    assert load_metrics(folders).groupby("scenario").seed.unique().map(list).to_dict() == {"base": [1, 2],
                                                                                          "free": [1, 2]}


def test_products_of_results_in_memory_carry_scenario_and_run(results):
    products = load_products(results)
    assert products.groupby("scenario").run_id.nunique().to_dict() == {"base": 3, "free": 3}
    assert len(products) == sum(len(r.products) for r in results)


def test_a_sweep_folder_reads_its_runs_with_their_parameters(sweep_folder):
    loaded = load_metrics(sweep_folder)
    stored = SweepResult(sweep_folder).metrics()
    assert len(loaded) == 8 * 2 and set(loaded.scenario) == {"grid"}
    assert loaded.drop(columns="scenario").equals(stored)
    assert sorted(set(zip(loaded[RATE], loaded[BUDGET]))) == [(0.0, 5000.0), (0.0, 50000.0), (0.3, 5000.0),
                                                               (0.3, 50000.0)]
    with pytest.raises(FolderError, match="keeps metrics only, no products"):
        load_products(sweep_folder)


def test_folders_that_hold_no_results_are_refused(tmp_path, run_folder):
    with pytest.raises(FolderError, match="no results folder"):
        load_metrics(tmp_path / "missing")
    with pytest.raises(FolderError, match="expected the folder of run"):
        load_metrics(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    (copy / "products.parquet").unlink()
    with pytest.raises(FolderError, match="no products.parquet"):
        load_products(copy)
    with pytest.raises(SweepError, match="no sensitivity indices"):
        load_indices(tmp_path)
