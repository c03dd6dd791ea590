"""The notebooks: stored without outputs, and each runs top to bottom without error in a
kernel of this environment."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def execute(nb: nbformat.NotebookNode, path: Path) -> nbformat.NotebookNode:
    """Run every cell in a fresh "python3" kernel started in ``path``; raises on any cell error."""
    client = NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(path)}})
    return client.execute()


def test_the_five_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == ["01_quickstart.ipynb", "02_policy_comparison.ipynb",
                                           "03_sweeps_and_sensitivity.ipynb", "04_scenario_discovery.ipynb",
                                           "05_city_designs.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_the_kernel_is_this_environment(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    out = execute(nb, tmp_path).cells[0].outputs[0]["text"].strip()
    assert Path(out).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_error(path):
    nb = execute(nbformat.read(path, as_version=4), path.parent)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    figures = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(figures) >= 3
    stderr = [o["text"] for c in code for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
    expected = ("no CJK font installed",  # the documented fallback
                "are not stable")  # the caution on indices of a sample kept small for speed (03: Sobol N = 8)
    unexpected = [text for text in stderr if not any(e in text for e in expected)]
    assert not unexpected, unexpected[0]
