"""The many: data users and data products as columns of numpy arrays (MODEL §2).

Objects for the few (operators, merchants, exchanges, the regulator), arrays for the many:
every update here is a masked array operation, never a Python loop over users or products.
"""

from __future__ import annotations

import numpy as np

# Channel codes of a product; exchanges are 0, 1, 2, …
OFF_EXCHANGE = -1
OPERATOR = -2
# Purposes of a user
COMMERCIAL, PUBLIC_INTEREST, RESEARCH = 0, 1, 2
NEVER = np.iinfo(np.int32).max


def trust_column(channel: np.ndarray) -> np.ndarray:
    """Column of the users' trust matrix for a channel: 0 off-exchange, 1 operator, 2+e exchange e."""
    return np.where(channel == OFF_EXCHANGE, 0, np.where(channel == OPERATOR, 1, channel + 2))


class Users:
    """Data users (firms and public-interest users); each agent stands for ``represents`` users."""

    def __init__(self, params, sectors: list[str], n_exchanges: int, trust_off: float, trust_operator: float,
                 misreport_propensity: float, rng: np.random.Generator):
        n = params.count
        self.n = n
        self.represents = params.represents
        weights = np.array([params.sector_weights[s] for s in sectors])
        self.sector = rng.choice(len(sectors), size=n, p=weights / weights.sum()).astype(np.int16)
        sigma = params.size_sigma
        self.size = rng.lognormal(-sigma**2 / 2, sigma, size=n)  # mean 1
        self.maturity = rng.beta(params.maturity.a, params.maturity.b, size=n)
        u = rng.random(n)
        self.purpose = np.where(
            u < params.public_interest_share, PUBLIC_INTEREST,
            np.where(u < params.public_interest_share + params.research_share, RESEARCH, COMMERCIAL),
        ).astype(np.int8)
        self.budget = params.budget_multiple * self.size
        self.misreports = (self.purpose == COMMERCIAL) & (rng.random(n) < misreport_propensity)
        self.trust = np.empty((n, 2 + n_exchanges))
        self.trust[:, 0] = trust_off
        self.trust[:, 1] = trust_operator
        self.trust[:, 2:] = 0.0
        self.aware = np.zeros((n, n_exchanges), dtype=bool)
        self.last_product = np.full(n, -1, dtype=np.int64)
        self.last_purchase = np.full(n, -NEVER, dtype=np.int64)
        self.applied = np.zeros(n, dtype=bool)
        self.approved_from = np.full(n, NEVER, dtype=np.int64)

    def claims_free_use(self, free_for_research: bool) -> np.ndarray:
        """Users who apply for free public-data use: public-interest users, research users when
        research is free, and commercial users who misreport their purpose."""
        claim = (self.purpose == PUBLIC_INTEREST) | self.misreports
        if free_for_research:
            claim |= self.purpose == RESEARCH
        return claim


class Products:
    """Data products: owner, inputs, channel, quality, price and sales, one row each."""

    FIELDS = {
        "owner": np.int64,  # merchant index, or operator index when ``by_operator``
        "by_operator": bool,
        "account": np.int64,  # ledger account of the owner
        "domain_a": np.int64,  # public-data input domains, -1 if none
        "domain_b": np.int64,
        "channel": np.int64,  # OFF_EXCHANGE, OPERATOR or an exchange index
        "quality": float,
        "price": float,
        "certified": bool,
        "compliant": bool,
        "active": bool,
        "reviewed": bool,  # has been through a listing decision
        "created": np.int64,  # month index
        "last_sale": np.int64,  # month index of the last sale (creation month before any)
        "listing_taste": float,  # seller's idiosyncratic taste for listing
        "units": float,  # city-scale units sold, cumulative
        "units_on_exchange": float,  # of which through an exchange
        "ever_listed": bool,  # passed an exchange review at some point
        "revenue": float,  # 万元, cumulative, gross of fees
        "month_units": float,  # city-scale units sold this month
        "recent": float,  # smoothed city-scale monthly units
    }

    def __init__(self, n_sectors: int, capacity: int = 256):
        self.n = 0
        self.n_sectors = n_sectors
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        self.relevance = np.zeros((capacity, n_sectors))

    def add(self, *, owner: int, by_operator: bool, account: int, domains: tuple[int, int], channel: int,
            quality: float, price: float, compliant: bool, created: int, listing_taste: float,
            relevance: np.ndarray) -> int:
        """Append one product and return its index. Only operators and merchants own products:
        exchanges never do (plan 三.2 场所与数据商功能分离), so there is no owner kind for them."""
        if self.n == self.owner.size:
            self._grow()
        i = self.n
        self.n += 1
        values = dict(owner=owner, by_operator=by_operator, account=account, domain_a=domains[0],
                      domain_b=domains[1], channel=channel, quality=quality, price=price, certified=False,
                      compliant=compliant, active=True, reviewed=channel == OPERATOR, created=created, last_sale=created,
                      listing_taste=listing_taste, units=0.0, units_on_exchange=0.0, ever_listed=False, revenue=0.0, month_units=0.0, recent=0.0)
        for name, value in values.items():
            getattr(self, name)[i] = value
        self.relevance[i] = relevance
        return i

    def _grow(self) -> None:
        cap = 2 * self.owner.size
        for name in self.FIELDS:
            old = getattr(self, name)
            new = np.zeros(cap, dtype=old.dtype)
            new[: old.size] = old
            setattr(self, name, new)
        rel = np.zeros((cap, self.n_sectors))
        rel[: self.relevance.shape[0]] = self.relevance
        self.relevance = rel

    def view(self, name: str) -> np.ndarray:
        """The filled part of a column."""
        return getattr(self, name)[: self.n]
