"""Public-data domains (公共数据领域; plan 二.1) as arrays, one entry per domain (MODEL §2, §6.1).

A domain has a quality that governance spending raises, a status (``open``, ``authorized`` or
``restricted``), a sensitivity, a relevance to each user sector, the operator authorized to
run it (if any) and a governance account in the ledger. No Mesa here.
"""

from __future__ import annotations

import numpy as np

from sim.quality import update_quality

NO_OPERATOR = -1


class Domains:
    """The city's public-data domains, as columns.

    Args:
        domains: the scenario's ``domains`` section, by id.
        sectors: user sectors, in the order of the relevance columns.
        default_relevance: relevance to a sector the domain does not list, 0-1.
        accounts: ledger account of each domain's governance fund, in the order of ``domains``.
    """

    def __init__(self, domains: dict, sectors: list[str], default_relevance: float, accounts: np.ndarray):
        self.ids = list(domains)
        n = len(self.ids)
        self.quality = np.array([d.quality for d in domains.values()], dtype=float)
        self.status = np.array([d.status for d in domains.values()], dtype=object)
        # one extra False at the end, so that domain index -1 (no public input) reads as not important
        self.important = np.array([d.sensitivity == "important" for d in domains.values()] + [False])
        self.relevance = np.full((n, len(sectors)), default_relevance)
        for i, dom in enumerate(domains.values()):
            for sector, r in dom.relevance.items():
                self.relevance[i, sectors.index(sector)] = r
        self.operator = np.full(n, NO_OPERATOR, dtype=np.int64)
        self.accounts = np.asarray(accounts, dtype=np.int64)
        self._usable = self._find_usable()

    def index(self, domain_id: str) -> int:
        return self.ids.index(domain_id)

    def usable(self) -> np.ndarray:
        """Domains a merchant can build on: open ones, and authorized ones an operator runs."""
        return self._usable

    def usable_index(self) -> np.ndarray:
        """Indices of the :meth:`usable` domains."""
        return self._usable_index

    def _find_usable(self) -> np.ndarray:
        usable = (self.status == "open") | (self.operator != NO_OPERATOR)
        usable.flags.writeable = False
        self._usable_index = np.flatnonzero(usable)
        self._usable_index.flags.writeable = False
        return usable

    def unrestricted(self) -> np.ndarray:
        """Domains outside the negative list (负面清单): governance funds them, quality is reported."""
        return self.status != "restricted"

    def authorize(self, domain: int, operator: int) -> None:
        """Hand ``domain`` to ``operator`` (授权运营)."""
        self.operator[domain] = operator
        self._usable = self._find_usable()

    def govern(self, spend: np.ndarray, gain: float, half: float, decay: float) -> None:
        """Quality moves with this month's governance spend (万元 per domain); see :func:`update_quality`."""
        self.quality = update_quality(self.quality, spend, gain, half, decay)

    def touches_important(self, domain_a: np.ndarray, domain_b: np.ndarray) -> np.ndarray:
        """Whether a product with inputs ``domain_a``/``domain_b`` (-1: none) uses important-level data."""
        a, b = np.asarray(domain_a), np.asarray(domain_b)
        return ((a >= 0) & self.important[np.maximum(a, 0)]) | ((b >= 0) & self.important[np.maximum(b, 0)])
