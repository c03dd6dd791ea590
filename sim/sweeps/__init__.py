"""Parameter sweeps, ensembles and sensitivity analysis: ``sweep(spec, out=DIR)``.

A spec (:mod:`sim.sweeps.spec`) becomes a plan of design points and replicates
(:mod:`~sim.sweeps.design`, :mod:`~sim.sweeps.plan`), run on local processes or a Dask cluster by
the one executor (:mod:`sim.execute`, driven by :mod:`~sim.sweeps.engine`), streamed to a sweep
folder run by run and read back lazily (:mod:`~sim.sweeps.store`), and analysed
(:mod:`~sim.sweeps.sensitivity`).
"""

from sim.errors import SweepError
from sim.sweeps.engine import sweep
from sim.sweeps.plan import Plan
from sim.sweeps.spec import SpecError, SweepSpec
from sim.sweeps.store import SweepResult

__all__ = ["Plan", "SpecError", "SweepError", "SweepResult", "SweepSpec", "sweep"]
