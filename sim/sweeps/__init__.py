"""Parameter sweeps, ensembles and sensitivity analysis: ``sweep(spec, out=DIR)``.

A spec (:mod:`sim.sweeps.spec`) becomes a plan of design points and replicates
(:mod:`~sim.sweeps.design`, :mod:`~sim.sweeps.plan`), run on local processes or a Dask cluster
(:mod:`~sim.sweeps.execute`) and streamed to a folder run by run (:mod:`~sim.sweeps.store`),
read back lazily (:mod:`~sim.sweeps.result`) and analysed (:mod:`~sim.sweeps.sensitivity`).
"""

from sim.sweeps.engine import sweep
from sim.sweeps.plan import Plan
from sim.sweeps.result import SweepResult
from sim.sweeps.spec import SpecError, SweepSpec
from sim.sweeps.store import SweepError

__all__ = ["Plan", "SpecError", "SweepError", "SweepResult", "SweepSpec", "sweep"]
