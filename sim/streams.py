"""One seed in, named random streams out (common random numbers across scenarios).

Each mechanism draws from its own generator, derived from the run seed and the mechanism's
name. A scenario that changes one lever therefore leaves every other stream's draws as they
were, so paired scenarios face the same luck.
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """Named ``numpy.random.Generator`` s derived from one root seed."""

    def __init__(self, seed: int):
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        rng = self._generators.get(name)
        if rng is None:
            key = zlib.crc32(name.encode())
            rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
            self._generators[name] = rng
        return rng


def choice_without_replacement(rng: np.random.Generator, pool: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct items of ``pool`` drawn with probabilities ``p``: the same draws and the same
    result as ``rng.choice(pool, size=k, replace=False, p=p)``, without its fixed cost (which
    dominates for the handful of domains a merchant picks from).

    NumPy's algorithm: draw ``k − found`` uniforms, map them through the cumulative
    distribution of the items not yet found, keep the new distinct ones in order of first
    appearance, and repeat until ``k`` are found.
    """
    p = np.array(p, dtype=float)
    found: list[int] = []
    while len(found) < k:
        x = rng.random(k - len(found))
        if found:
            p[found] = 0
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        for i in cdf.searchsorted(x, side="right").tolist():
            if i not in found:
                found.append(i)
    return pool[found]


def choice_weighted(rng: np.random.Generator, p: np.ndarray) -> int:
    """One index drawn with probabilities ``p``: the same draw and result as ``rng.choice(p.size, p=p)``
    (NumPy maps one uniform through the normalised cumulative distribution), without its fixed cost."""
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    return int(cdf.searchsorted(rng.random(), side="right"))
