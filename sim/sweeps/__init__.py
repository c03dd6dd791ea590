"""Parameter sweeps: a spec (:mod:`sim.sweeps.spec`) becomes a plan of design points and
replicates (:mod:`~sim.sweeps.design`, :mod:`~sim.sweeps.plan`)."""

from sim.sweeps.plan import Plan
from sim.sweeps.spec import SpecError, SweepSpec

__all__ = ["Plan", "SpecError", "SweepSpec"]
