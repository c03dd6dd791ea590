"""One seed in, named random streams out, re-keyed every month and indexed by agent slot
(common random numbers that survive policy changes).

A paired comparison of two scenarios is only as tight as their draws are common. A sequential
stream loses that: once one scenario draws one number more (one more buyer, product or
merchant), every later draw of the stream moves. So, as in Starsim, each random decision has its
own name, its draws are re-keyed every month, and each agent owns its slot:

- :meth:`Streams.slots` (``MonthDraws.slots``): uniforms for given slots — users by index,
  merchants by their permanent ``DataMerchant.index``, products by index — computed from
  ``(seed, name, month, slot, column)`` by a counter-based hash. The draw of slot ``i`` in month
  ``t`` is the same whatever other slots exist or are drawn, and column ``j`` of a slot does not
  move when the number of columns changes (e.g. more candidates per buyer).
- :meth:`MonthDraws.everyone`: one uniform per slot ``0 … n−1`` from a generator keyed by
  ``(seed, name, month)``; draw ``i`` is the ``i``-th of the generator, so it too stays with slot
  ``i`` whatever ``n`` is (cheaper than hashing when every user draws).
- :meth:`Streams.generator`: a generator keyed by ``(seed, name, *key)`` for draws that belong to
  one key (the month's entry count, a merchant's traits keyed by its index).
- ``streams[name]``: a generator for the whole run, for set-up draws (the users' traits).

A stream name is used in one of these ways only. Choices are made by inverse-CDF sampling from
slot uniforms (:func:`pick`, :func:`pick_distinct`, :func:`poisson`), so a small change of the
probabilities changes few choices.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment and finaliser (Steele et al. 2014)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GAMMA_INT, _MASK = 0x9E3779B97F4A7C15, (1 << 64) - 1
_COLUMNS = np.uint64(1 << 24)  # counter = slot × 2²⁴ + column: a slot's columns never reach the next slot
_NORMAL = NormalDist()


class Streams:
    """Named ``numpy.random.Generator`` s and slot uniforms derived from one root seed."""

    def __init__(self, seed: int):
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}
        self._roots: dict[str, int] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        """The run-long generator ``name`` (set-up draws, taken once in a fixed order)."""
        rng = self._generators.get(name)
        if rng is None:
            rng = self._generators[name] = self.generator(name)
        return rng

    def _key(self, name: str, *key: int) -> int:
        """A 64-bit key of ``(seed, name, *key)``: the name's root (from ``SeedSequence``, once per
        name), then each key folded in by SplitMix64."""
        z = self._roots.get(name)
        if z is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),))
            z = self._roots[name] = int(sequence.generate_state(1, np.uint64)[0])
        for k in key:
            z = _splitmix(z + (int(k) + 1) * _GAMMA_INT)
        return z

    def generator(self, name: str, *key: int) -> np.random.Generator:
        """A fresh generator (Philox, keyed) of ``(seed, name, *key)``: the same draws whatever
        else was drawn.

        Args:
            key: non-negative integers, e.g. the month, or a merchant's permanent index.
        """
        return np.random.Generator(np.random.Philox(key=self._key(name, *key)))

    def slots(self, name: str, month: int, slots: np.ndarray, columns: int | None = None) -> np.ndarray:
        """Uniforms in (0, 1) of draw ``name`` in ``month`` for the given slots: shape
        ``(len(slots),)``, or ``(len(slots), columns)`` for several draws per slot.

        Args:
            month: the month index (or another round number ≥ 0).
            slots: agent slots (user, merchant or product indices), non-negative integers.
            columns: draws per slot; column ``j`` of a slot is the same for any ``columns > j``.
        """
        key = np.uint64(self._key(name, month))
        counter = np.asarray(slots, dtype=np.uint64) * _COLUMNS
        if columns is not None:
            counter = counter[:, None] + np.arange(columns, dtype=np.uint64)
        return _uniform(counter, key)

    def month(self, t: int) -> MonthDraws:
        """The draws of month ``t``."""
        return MonthDraws(self, t)


@dataclass(frozen=True)
class MonthDraws:
    """The random draws of one month of one run (see the module docstring)."""

    streams: Streams
    t: int

    def slots(self, name: str, slots: np.ndarray, columns: int | None = None) -> np.ndarray:
        """:meth:`Streams.slots` of this month."""
        return self.streams.slots(name, self.t, slots, columns)

    def everyone(self, name: str, n: int) -> np.ndarray:
        """One uniform in [0, 1) for each slot ``0 … n−1``; slot ``i`` gets the ``i``-th draw of the
        month's generator ``name``, whatever ``n`` is."""
        return self.generator(name).random(n)

    def generator(self, name: str) -> np.random.Generator:
        """The generator ``name`` of this month."""
        return self.streams.generator(name, self.t)


def _splitmix(z: int) -> int:
    """SplitMix64's finaliser on a Python integer (a month's key from its stream's root)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _uniform(counter: np.ndarray, key: np.uint64) -> np.ndarray:
    """SplitMix64 of ``key + counter × γ`` mapped to (0, 1): 53 random bits, offset by half a step."""
    z = counter * _GAMMA
    z += key
    z ^= z >> np.uint64(30)
    z *= _MIX1
    z ^= z >> np.uint64(27)
    z *= _MIX2
    z ^= z >> np.uint64(31)
    z >>= np.uint64(11)
    return (z + 0.5) * (1.0 / 2**53)


def pick(p: np.ndarray, u: float) -> int:
    """The index whose cumulative probability first exceeds ``u`` (inverse CDF of ``p``,
    which need not be normalised)."""
    cdf = np.cumsum(p)
    return min(int(cdf.searchsorted(u * cdf[-1], side="right")), len(p) - 1)


def pick_distinct(pool: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``len(u)`` distinct items of ``pool`` drawn with probabilities ``p``, one uniform each:
    the first by :func:`pick`, each next one from the distribution of the items not yet picked
    (sequential sampling without replacement, as ``numpy``'s ``choice(replace=False, p=p)``).

    Args:
        u: uniforms in (0, 1), at most ``len(pool)`` of them (from nonzero ``p``).
    """
    p = np.array(p, dtype=float)
    found = []
    for x in u.tolist():
        i = pick(p, x)
        found.append(i)
        p[i] = 0.0
    return pool[found]


def poisson(mean: float, u: float) -> int:
    """The Poisson(``mean``) count at quantile ``u`` (inverse CDF): a larger mean never gives a
    smaller count for the same ``u``. Above a mean of 500 the normal approximation is used."""
    if mean <= 0:
        return 0
    if mean > 500:
        return max(0, round(mean + math.sqrt(mean) * _NORMAL.inv_cdf(u)))
    k, term = 0, math.exp(-mean)
    total = term
    while total < u and term > 0:
        k += 1
        term *= mean / k
        total += term
    return k


def normal(u: float) -> float:
    """The standard normal quantile at ``u`` in (0, 1)."""
    return _NORMAL.inv_cdf(u)
