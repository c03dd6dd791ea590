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
