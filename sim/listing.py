"""Sellers' channel choice (MODEL §6.3 channel; plan 三.2 场内挂牌): list on an exchange or sell off it.

Each month, products never decided on and a share of the others (``relist_rate``) weigh the
expected gain of each open exchange — extra sales from its reach and trust (its *uplift*), net
of its fee, over a horizon, less the review cost unless already listed there — against
selling bilaterally, net of any broker commission. The exchange then reviews the applications
(:meth:`agents.exchange.DataExchange.review_listings`). Pure functions on arrays; no Mesa here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.population import OFF_EXCHANGE, Products


@dataclass(frozen=True)
class Venue:
    """An open exchange as a seller sees it.

    Args:
        index: the exchange's index (its channel code).
        uplift: sellers' belief of sales on the exchange relative to off it, ×.
        fee_rate: transaction fee, share of the price.
        horizon: months of revenue a listing decision weighs.
        review_cost: cost of one listing review, 万元.
    """

    index: int
    uplift: float
    fee_rate: float
    horizon: float
    review_cost: float


@dataclass(frozen=True)
class ChannelChoice:
    """The month's decisions, one entry per product considered."""

    products: np.ndarray  # product index
    channel: np.ndarray  # chosen channel: OFF_EXCHANGE or an exchange index
    applying: np.ndarray  # bool: chose an exchange it is not listed on yet, so it must pass its review

    def applicants(self, exchange: int) -> np.ndarray:
        """Products applying to list on ``exchange``."""
        return self.products[self.applying & (self.channel == exchange)]

    def staying_off(self) -> np.ndarray:
        """Products that sell off-exchange from now on."""
        return self.products[self.channel == OFF_EXCHANGE]


def choose_channels(relist: np.ndarray, products: Products, venues: list[Venue], market_revenue: float,
                    off_keep: float, b) -> ChannelChoice:
    """Each product considered picks the channel with the highest expected gain.

    Args:
        relist: one uniform per product (its slot draw of the month); a decided product is
            reconsidered when it falls below ``relist_rate`` (at least one per product).
        venues: the open exchanges, in index order (at least one).
        market_revenue: expected monthly revenue of a merchant product, 万元 (smoothed).
        off_keep: share of an off-exchange sale the seller keeps (after broker commission).
        b: the scenario's ``behaviour`` section (``relist_rate``, ``listing_noise``, ``listing_own_weight``).
    """
    n = products.n
    consider = products.merchant_owned() & (~products.view("reviewed") | (relist[:n] < b.relist_rate))
    idx = np.flatnonzero(consider)
    revenue = np.maximum(products.recent[idx] * products.price[idx], 0.0)
    expected = b.listing_own_weight * revenue + (1 - b.listing_own_weight) * market_revenue
    taste = np.exp(b.listing_noise * products.listing_taste[idx])
    current = products.channel[idx]
    gains = np.zeros((idx.size, len(venues) + 1))  # column 0: off-exchange
    for j, v in enumerate(venues):
        sunk = current == v.index
        gains[:, j + 1] = (v.uplift * (1 - v.fee_rate) * taste - off_keep) * expected * v.horizon \
            - np.where(sunk, 0.0, v.review_cost)
    best = np.argmax(gains, axis=1)
    codes = np.array([OFF_EXCHANGE, *(v.index for v in venues)], dtype=np.int64)
    channel = codes[best]
    return ChannelChoice(products=idx, channel=channel, applying=(best > 0) & (channel != current))
