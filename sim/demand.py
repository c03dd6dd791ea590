"""Demand (MODEL §6.6): who needs data this month, what each buyer sees, and what each buys.

Data goods are non-rival, so all buyers of a month choose at once: each row of the candidate
matrix is one buyer, each column one product the buyer has seen, tagged with the channel the
deal would go through (its *via*). A listed product still sells bilaterally (场内挂牌、场外成交)
and a repeat buyer deals directly, so a product's via need not be its listing channel.
Pure functions on arrays; no Mesa here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.clearing import clear, draw_candidates, exposure_weights
from sim.population import OFF_EXCHANGE, OPERATOR, Products, Users, trust_column
from sim.streams import MonthDraws


@dataclass(frozen=True)
class Venues:
    """The exchanges as buyers meet them; arrays are indexed by exchange index.

    Args:
        open: indices of the open exchanges, in index order.
        reach: extra candidates an exchange shows each buyer who knows it.
        fee_rate: transaction fee, share of the price.
        trust_premium: cut in the perceived risk of a certified product bought there, share.
    """

    open: tuple[int, ...]
    reach: np.ndarray
    fee_rate: np.ndarray
    trust_premium: np.ndarray


@dataclass(frozen=True)
class Purchases:
    """The month's purchases, one entry per buyer who bought; money per user agent, 万元."""

    buyers: np.ndarray  # user index
    product: np.ndarray  # product index
    via: np.ndarray  # channel of the deal: OFF_EXCHANGE, OPERATOR or an exchange index
    list_price: np.ndarray  # price before vouchers and free use (fee pass-through included)
    paid: np.ndarray  # price the buyer pays after vouchers (0 for a free use)
    free: np.ndarray  # bool: a free use of a public-data service
    value: np.ndarray  # value V to the buyer
    surplus: np.ndarray  # V − paid − perceived risk
    misreport: np.ndarray  # bool: the buyer misreports a public-interest purpose
    brokered: np.ndarray  # bool: a deal found through the brokers' extra candidates

    @property
    def n(self) -> int:
        return int(self.buyers.size)


def needs(u: np.ndarray, maturity: np.ndarray, need_rate: float, need_base: float) -> np.ndarray:
    """Indices of the users who need data this month: chance ``need_rate × (need_base + μ)``.

    Args:
        u: one uniform per user (its slot draw of the month).
        maturity: data maturity μ of each user, 0-1.
        need_rate: probability/month at ``need_base + μ = 1``.
        need_base: the part of the need that does not grow with maturity.
    """
    return np.flatnonzero(u < need_rate * (need_base + maturity))


def shop(draws: MonthDraws, buyers: np.ndarray, users: Users, products: Products, venues: Venues, b,
         broker_boost: int, voucher_rate: float, approved: np.ndarray, seller_risk: np.ndarray | None = None
         ) -> Purchases:
    """Buyers see candidates and buy the one with the highest positive utility ``V − p − R``.

    Args:
        draws: the month's random draws; each buyer's candidates come from its own slot.
        buyers: users in need this month (from :func:`needs`).
        b: the scenario's ``behaviour`` section (candidates, value, risk, fee pass-through).
        broker_boost: extra off-exchange candidates brokers bring (0 without brokers).
        voucher_rate: share of an on-exchange price the treasury pays this month.
        approved: (len(buyers),) bool, approved for free public-data use.
        seller_risk: (products.n,) multiplier of perceived risk by seller reputation (credit system), or None.
    """
    if products.n == 0:  # nothing is for sale yet (e.g. a market that starts empty): nobody buys
        buyers, approved = buyers[:0], approved[:0]
    cand, via, brokered = _candidates(draws, buyers, users, products, venues, b, broker_boost)
    valid = cand >= 0
    c = np.where(valid, cand, 0)
    usability = np.where(via == OPERATOR, b.raw_data_usability, 1.0)  # raw public data needs processing
    value = (b.value_scale * users.size[buyers] * users.maturity[buyers])[:, None] * products.quality[c] * usability \
        * products.relevance[c, users.sector[buyers][:, None]]
    list_price = products.price[c]
    on = via >= 0
    if venues.fee_rate.size:  # sellers pass part of the exchange fee into on-exchange prices
        fee = venues.fee_rate[np.maximum(via, 0)]
        list_price = np.where(on, list_price * (1 + b.fee_pass_through * fee), list_price)
    free = (via == OPERATOR) & (approved[:, None] | (list_price == 0))  # nothing charged: a free use
    pay = np.where(free, 0.0, list_price) * np.where(on, 1 - voucher_rate, 1.0)
    risk_base = np.where(via == OFF_EXCHANGE, b.risk_off_exchange,
                         np.where(via == OPERATOR, b.risk_operator, b.risk_exchange))
    if venues.trust_premium.size:
        premium = venues.trust_premium[np.maximum(via, 0)]
        risk_base = np.where(on & products.certified[c], risk_base * (1 - premium), risk_base)
    trust = users.trust[buyers[:, None], trust_column(via)]
    risk = credit_adjusted_risk(value * risk_base * (1 - trust), seller_risk, c)
    choice = clear(value, pay, risk, users.budget[buyers], valid)

    rows = np.flatnonzero(choice.bought)
    cols = choice.col[rows]
    product = cand[rows, cols]
    repeat = product == users.last_product[buyers[rows]]  # a buyer's own last product is no broker's find
    return Purchases(
        buyers=buyers[rows],
        product=product,
        via=via[rows, cols],
        list_price=list_price[rows, cols],
        paid=pay[rows, cols],
        free=free[rows, cols],
        value=value[rows, cols],
        surplus=choice.utility[rows],
        misreport=users.misreports[buyers[rows]],
        brokered=brokered[cols] & ~repeat,
    )


def credit_adjusted_risk(risk: np.ndarray, seller_risk: np.ndarray | None, cand: np.ndarray) -> np.ndarray:
    """Perceived risk of each candidate scaled by its seller's public reputation under the trading
    credit system (Shijiazhuang art. 46 信用体系; :meth:`agents.regulator.Regulator.seller_risk`).

    Args:
        risk: (buyers, k) perceived risk, 万元.
        seller_risk: (products.n,) multiplier per product, or None (no credit system: unchanged).
        cand: (buyers, k) candidate product indices (empty slots already mapped to a valid index).
    """
    return risk if seller_risk is None else risk * seller_risk[cand]


def _candidates(draws: MonthDraws, buyers: np.ndarray, users: Users, products: Products, venues: Venues, b,
                broker_boost: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``(len(buyers), k)`` candidate products (-1: empty slot), the via of each slot, and
    the ``(k,)`` columns the brokers found (the last ``broker_boost`` off-exchange slots).

    Blocks, in order: off-exchange products (weighted by exposure), each open exchange's listed
    products (only if the buyer knows the exchange, and only as often as the catalogue covers
    the off-exchange market), every public-data service, and the buyer's last product.
    """
    m = buyers.size
    active = products.view("active")
    channel = products.view("channel")
    weights = exposure_weights(products.view("recent"), b.popularity_weight)
    off = np.flatnonzero(products.merchant_owned())
    blocks = [draw_candidates(draws.slots("candidates_off", buyers, b.k_off + broker_boost), off, weights[off])]
    vias = [OFF_EXCHANGE]
    for x in venues.open:
        pool = np.flatnonzero(active & (channel == x))
        k = b.k_on + int(venues.reach[x])
        cand = draw_candidates(draws.slots(f"candidates_on:{x}", buyers, k), pool, weights[pool])
        coverage = pool.size / max(off.size, 1)  # a search finds what the catalogue holds
        cand[(draws.slots(f"coverage:{x}", buyers, k) >= coverage) | ~users.aware[buyers, x][:, None]] = -1
        blocks.append(cand)
        vias.append(x)
    public = np.flatnonzero(active & (channel == OPERATOR))
    blocks.append(np.broadcast_to(public, (m, public.size)))
    vias.append(OPERATOR)
    last = users.last_product[buyers]
    last = np.where((last >= 0) & active[np.maximum(last, 0)], last, -1)
    blocks.append(last[:, None])
    cand = np.hstack(blocks)
    via = np.concatenate([np.full(blk.shape[1], v) for blk, v in zip(blocks[:-1], vias)])
    via = np.broadcast_to(via, (m, via.size))
    last_via = np.where(channel[np.maximum(last, 0)] == OPERATOR, OPERATOR, OFF_EXCHANGE)
    brokered = np.zeros(cand.shape[1], dtype=bool)
    brokered[b.k_off: b.k_off + broker_boost] = True
    return cand, np.hstack([via, last_via[:, None]]), brokered
