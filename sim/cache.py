"""The run cache: finished runs kept on disk, so ``run`` and ``compare`` (and :func:`sim.run_many`,
:func:`sim.compare`) reuse a run of the same resolved scenario, seed and model version instead of
simulating it again. The executor (:func:`sim.execute.run_jobs`) is its only user.

    CACHE/runs/KEY.pkl   one run's :class:`~sim.results.Result`, pickled

``KEY`` hashes the resolved scenario's digest (:meth:`Scenario.digest`: every parameter, its name
included), the seed, the run number, whether products and flows were built, and the model version
(the package version and the hash of the model's source, :func:`sim.sweeps.plan.model_version`,
as in a sweep's run keys): any edit of the model's code makes every stored run a miss. A hit is the
same object a fresh run returns, so the files written from it are byte for byte the same.

``CACHE`` is ``$DATAMARKET_CACHE`` if set, else ``$XDG_CACHE_HOME/datamarket``, else
``~/.cache/datamarket``; delete it at any time to free the space. Files are written atomically
(:func:`sim.storage.atomic_write`); a file that cannot be read is a miss, and a cache that cannot
be written gives one warning while the runs go on.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.scenario import Scenario
from sim.storage import atomic_write

if TYPE_CHECKING:
    from sim.results import Result

ENV = "DATAMARKET_CACHE"
RUNS = "runs"


def cache_dir() -> Path:
    """Where runs are kept: ``$DATAMARKET_CACHE``, else ``$XDG_CACHE_HOME/datamarket``, else
    ``~/.cache/datamarket``."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "datamarket"


@dataclass
class Cache:
    """The runs kept under ``root`` (default :func:`cache_dir`); ``hits`` and ``stored`` count
    the runs found and written through this object."""

    root: Path
    hits: int = 0
    stored: int = 0
    _broken: bool = False

    @classmethod
    def default(cls) -> Cache:
        return cls(cache_dir())

    def key(self, scenario: Scenario, seed: int, run_id: int, full: bool) -> str:
        """Identity of a run: resolved scenario, seed, run number, products built or not, model version."""
        from sim.sweeps.plan import model_version  # the sweeps' version of the model, loaded when first needed

        text = f"{scenario.digest()}|{seed}|{run_id}|{int(full)}|{model_version()}"
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def _file(self, key: str) -> Path:
        return self.root / RUNS / f"{key}.pkl"

    def get(self, scenario: Scenario, seed: int, run_id: int, full: bool) -> Result | None:
        """The stored run, or None (never stored, or a file that cannot be read)."""
        file = self._file(self.key(scenario, seed, run_id, full))
        try:
            with file.open("rb") as f:
                result = pickle.load(f)  # noqa: S301 - the user's own cache folder
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None
        self.hits += 1
        return result

    def put(self, scenario: Scenario, seed: int, run_id: int, full: bool, result: Result) -> None:
        """Store a finished run; a failed write warns once and is otherwise ignored."""
        if self._broken:
            return
        file = self._file(self.key(scenario, seed, run_id, full))
        try:
            atomic_write(file, lambda tmp: tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
        except OSError as exc:
            self._broken = True
            warnings.warn(f"run cache {self.root}: cannot write ({exc.strerror or exc}); runs are not kept",
                          stacklevel=2)
            return
        self.stored += 1
