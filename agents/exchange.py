"""Data exchange (数据交易机构; plan 三.2–三.4): reviews listings, charges fees, extends reach
and trust. It never owns products (场所与数据商功能分离, plan 三.2)."""

from __future__ import annotations

import mesa
import numpy as np

from sim.listing import Venue


class DataExchange(mesa.Agent):
    """One exchange; its parameters are ``scenario.exchanges[key]``, read here and nowhere else."""

    def __init__(self, model, key: str, index: int):
        super().__init__(model)
        self.key = key
        self.index = index
        self.account = model.ledger.open(f"exchange:{key}")
        self.is_open = False
        self.uplift = model.params.behaviour.listing_uplift_prior  # sellers' belief: sales on / off

    @property
    def params(self):
        return self.model.params.exchanges[self.key]

    @property
    def reach(self) -> int:
        """Extra candidates the exchange shows each buyer who knows it."""
        return self.params.reach

    @property
    def fee_rate(self) -> float:
        """Transaction fee, share of the price."""
        return self.params.fee_rate

    @property
    def trust_premium(self) -> float:
        """Cut in the perceived risk of a product it certified, share."""
        return self.params.trust_premium

    def open(self) -> None:
        """Start trading: a first share of users know of it and trust it at its initial level.

        With no sales of its own yet, sellers judge it by analogy with the exchanges already
        open, scaled by how many candidates each shows a buyer (without this a newcomer is never
        tried and so never learned about)."""
        m = self.model
        k_on = m.params.behaviour.k_on
        for other in m.exchanges:
            if other.is_open:
                scale = (k_on + self.reach) / max(k_on + other.reach, 1)
                self.uplift = max(self.uplift, other.uplift * scale)
        self.is_open = True
        users = m.users
        aware = m.streams.month(m.month_index).everyone(f"first_awareness:{self.index}", users.n) \
            < self.params.initial_awareness
        users.meet_exchange(self.index, aware, self.params.initial_trust)

    def venue(self) -> Venue:
        """The exchange as a seller weighing a listing sees it."""
        return Venue(index=self.index, uplift=self.uplift, fee_rate=self.fee_rate,
                     horizon=self.params.listing_horizon, review_cost=self.review_cost())

    def review_cost(self) -> float:
        """Cost of one listing review; lower under declaration-and-commitment (plan 三.2 声明承诺制),
        and for a registered product where registration and trading are one platform (Jinan art. 40)."""
        policy = self.model.params.policy
        listing = policy.listing
        discount = listing.commitment_review_discount if listing.declaration_commitment else 0.0
        registered = policy.registry.integrated and policy.data_assets.registration
        return self.params.review_cost * (1 - discount) * (1 - policy.registry.listing_discount if registered else 1.0)

    def review_listings(self, applicants: np.ndarray) -> None:
        """Applicants pay the review fee; accepted ones are listed and certified, the rest stay off."""
        m = self.model
        products = m.products
        m.ledger.transfer(products.account[applicants], self.account, "review_fee", self.review_cost())
        accepted = self.review(applicants)
        products.list_on(applicants[accepted], self.index)
        products.keep_off_exchange(applicants[~accepted])

    def review(self, applicants: np.ndarray) -> np.ndarray:
        """Accept or reject listings: a non-compliant product is rejected with ``review_stringency``
        (one draw per product, from its slot)."""
        m = self.model
        draws = m.streams.month(m.month_index).slots(f"review:{self.index}", applicants)
        return m.products.compliant[applicants] | (draws >= self.params.review_stringency)

    def spread_awareness(self) -> None:
        if not self.is_open:
            return
        users = self.model.users
        draws = self.model.streams.month(self.model.month_index).everyone(f"awareness:{self.index}", users.n)
        users.hear_of_exchange(self.index, draws < self.params.awareness_growth)

    def update_uplift(self, listed_revenue: float, listed_off_revenue: float) -> None:
        """Sellers learn the uplift from listed products' own sales: all their revenue relative to
        what they sold bilaterally. Comparing within the same products avoids the selection bias
        of comparing listed with unlisted ones (the best products list)."""
        if listed_off_revenue > 0:
            observed = listed_revenue / listed_off_revenue
            w = self.model.params.behaviour.uplift_learning
            self.uplift = (1 - w) * self.uplift + w * observed
