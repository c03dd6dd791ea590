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
        self.trust_baseline = self.trust[0].copy()  # each channel's level before any purchase or incident
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

    def apply_for_free_use(self, buyers: np.ndarray, free_for_research: bool, u: np.ndarray,
                           screening_accuracy: float, approved_from: int) -> int:
        """Claimants among ``buyers`` apply once, when first in need (plan 二.2 有条件无偿); screening
        catches a misreporting applicant with ``screening_accuracy`` (``u``: one uniform per buyer),
        the others may use public data free from month ``approved_from``. Returns the number of
        applicants (agents)."""
        claim = self.claims_free_use(free_for_research)[buyers] & ~self.applied[buyers]
        applicants = buyers[claim]
        self.applied[applicants] = True
        caught = self.misreports[applicants] & (u[claim] < screening_accuracy)
        self.approved_from[applicants[~caught]] = approved_from
        return int(applicants.size)

    def learn_from_purchases(self, buyers: np.ndarray, products: np.ndarray, trust_columns: np.ndarray, month: int,
                             maturity_gain: float, trust_gain: float) -> None:
        """After a purchase a buyer grows more mature and trusts the channel it bought through more
        (each by a share of the gap to 1), and remembers the product for a repeat purchase."""
        self.maturity[buyers] += maturity_gain * (1 - self.maturity[buyers])
        self.trust[buyers, trust_columns] += trust_gain * (1 - self.trust[buyers, trust_columns])
        self.last_product[buyers] = products
        self.last_purchase[buyers] = month

    def meet_exchange(self, exchange: int, aware: np.ndarray, trust: float) -> None:
        """An exchange opens: ``aware`` users know of it, and everyone trusts it at ``trust``."""
        self.aware[:, exchange] = aware
        column = int(trust_column(np.array(exchange)))
        self.trust[:, column] = trust
        self.trust_baseline[column] = trust

    def hear_of_exchange(self, exchange: int, learn: np.ndarray) -> None:
        """Users in ``learn`` come to know of the exchange."""
        self.aware[:, exchange] |= learn

    def shock_trust(self, column: int | None, factor: float, users: np.ndarray | None = None) -> None:
        """Trust of ``users`` (default everyone) in one channel (a column of :attr:`trust`; None:
        every channel) is multiplied by ``factor``."""
        rows = slice(None) if users is None else users
        cols = slice(None) if column is None else column
        self.trust[rows, cols] *= factor

    def recover_trust(self, rate: float) -> None:
        """Trust below a channel's initial level regains ``rate`` of the gap each month (incidents
        fade from memory); trust above it, earned by purchases, is kept."""
        self.trust += rate * np.maximum(self.trust_baseline - self.trust, 0.0)


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
        # the other columns start at zero / False (sales, revenue, certificates)
        self.owner[i] = owner
        self.by_operator[i] = by_operator
        self.account[i] = account
        self.domain_a[i], self.domain_b[i] = domains
        self.channel[i] = channel
        self.quality[i] = quality
        self.price[i] = price
        self.compliant[i] = compliant
        self.active[i] = True
        self.reviewed[i] = channel == OPERATOR
        self.created[i] = self.last_sale[i] = created
        self.listing_taste[i] = listing_taste
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

    def merchant_owned(self) -> np.ndarray:
        """Mask of active products a merchant owns (public-data services excluded)."""
        return self.active[: self.n] & ~self.by_operator[: self.n]

    def on_channel(self, channel: int) -> np.ndarray:
        """Indices of active products sold through ``channel``."""
        return np.flatnonzero(self.active[: self.n] & (self.channel[: self.n] == channel))

    def deactivate(self, products) -> None:
        """Take products off the market (retired, banned, or their merchant left)."""
        self.active[products] = False

    def set_price(self, products, price) -> None:
        self.price[products] = price

    def set_quality(self, products, quality) -> None:
        self.quality[products] = quality

    def restore_compliance(self, product: int, illicit_quality_bonus: float) -> None:
        """A warned merchant removes the unauthorized data: compliant again, without its quality gain."""
        self.compliant[product] = True
        self.quality[product] /= 1 + illicit_quality_bonus

    def mark_reviewed(self, products: np.ndarray) -> None:
        """Products whose channel has been decided at least once."""
        self.reviewed[products] = True

    def keep_off_exchange(self, products: np.ndarray) -> None:
        """Sell bilaterally (场外), without an exchange's certificate."""
        self.channel[products] = OFF_EXCHANGE
        self.certified[products] = False

    def list_on(self, products: np.ndarray, exchange: int) -> None:
        """Listed on ``exchange`` after passing its review, with its certificate."""
        self.channel[products] = exchange
        self.certified[products] = True
        self.ever_listed[products] = True

    def record_sales(self, units: np.ndarray, units_on_exchange: np.ndarray, gross: np.ndarray) -> None:
        """The month's city-scale units, units through exchanges and gross revenue (万元), per product."""
        n = self.n
        self.month_units[:n] = units
        self.units[:n] += units
        self.units_on_exchange[:n] += units_on_exchange
        self.revenue[:n] += gross

    def mark_sold(self, products: np.ndarray, month: int) -> None:
        self.last_sale[products] = month

    def smooth_sales(self, weight: float) -> None:
        """``recent ← (1 − w)·recent + w·month_units``: the smoothed monthly units buyers and sellers see."""
        n = self.n
        self.recent[:n] = (1 - weight) * self.recent[:n] + weight * self.month_units[:n]
