"""Demand (MODEL §6.6): who needs data this month, what each buyer sees, and what each buys.

Data goods are non-rival, so all buyers of a month choose at once: each row of the candidate
matrix is one buyer, each column one product the buyer has seen, tagged with the channel the
deal would go through (its *via*). A buyer may buy several products (public data with a merchant
product, say), each further one worth less (:func:`sim.clearing.clear`). A listed product still sells bilaterally (场内挂牌、场外成交)
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
        trust_premium: cut in the chance a deal in a product it certified goes wrong, share.
        dispute_recovery: share of a deal's loss the exchange's dispute process recovers from the seller.
    """

    open: tuple[int, ...]
    reach: np.ndarray
    fee_rate: np.ndarray
    trust_premium: np.ndarray
    dispute_recovery: np.ndarray


@dataclass(frozen=True)
class Purchases:
    """The month's purchases, one entry per deal (a buyer who bought several products appears
    once for each); money per user agent, 万元."""

    buyers: np.ndarray  # user index
    product: np.ndarray  # product index
    via: np.ndarray  # channel of the deal: OFF_EXCHANGE, OPERATOR or an exchange index
    list_price: np.ndarray  # price before vouchers and free use (fee pass-through included)
    paid: np.ndarray  # price the buyer pays after vouchers (0 for a free use)
    free: np.ndarray  # bool: a free use of a public-data service
    value: np.ndarray  # value V to the buyer (a further purchase of the month: scaled down)
    surplus: np.ndarray  # expected surplus when buying: V − paid − perceived risk − integration cost
    risk: np.ndarray  # perceived risk R: V × loss share × (1 − trust) × (1 − dispute recovery)
    p_loss: np.ndarray  # chance the deal goes wrong
    at_stake: np.ndarray  # value lost if it does: V × the channel's loss share
    recovery: np.ndarray  # share of a loss recovered from the seller by the exchange's dispute process
    misreport: np.ndarray  # bool: the buyer misreports a public-interest purpose
    rank: np.ndarray  # 1 for the buyer's first purchase of the month, 2 for its second, …
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
    """Buyers see candidates and buy, best first, those with positive utility ``V − p − R − c``
    while the month's budget lasts (at most ``b.max_purchases``, the k-th worth
    ``b.extra_purchase_value ** (k − 1)`` of its value; ``c`` is ``b.integration_cost``, the
    buyer's own cost of taking a product into use).

    Perceived risk is ``R = V × s_c × (1 − trust_c) × (1 − r)``: the share ``s_c`` of the value
    lost when a deal through channel ``c`` goes wrong (``b.risk_<channel>``), the chance the buyer
    believes it goes wrong (one less its trust in the channel), and the share ``r`` an exchange's
    dispute process would recover. The true chance (``p_loss``) is ``b.loss_prob_<channel>``,
    × ``b.noncompliant_loss_multiplier`` for a non-compliant product, × (1 − the exchange's
    ``trust_premium``) for a product certified by the exchange it is bought on.

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
    share = np.where(via == OFF_EXCHANGE, b.risk_off_exchange,
                     np.where(via == OPERATOR, b.risk_operator, b.risk_exchange))
    recovery = np.where(on, venues.dispute_recovery[np.maximum(via, 0)], 0.0) if venues.open else 0.0
    trust = users.trust[buyers[:, None], trust_column(via)]
    risk = credit_adjusted_risk(value * share * (1 - trust) * (1 - recovery), seller_risk, c)
    choice = clear(value, pay, risk, users.budget[buyers], valid, cand, b.extra_purchase_value, b.max_purchases,
                   b.integration_cost)

    rows, cols, scale = choice.row, choice.col, choice.scale
    product, deal_via = cand[rows, cols], via[rows, cols]
    p_loss = np.where(deal_via == OFF_EXCHANGE, b.loss_prob_off_exchange,
                      np.where(deal_via == OPERATOR, b.loss_prob_operator, b.loss_prob_exchange))
    p_loss = p_loss * np.where(products.compliant[product], 1.0, b.noncompliant_loss_multiplier)
    if venues.open:
        certified = (deal_via >= 0) & products.certified[product]
        p_loss = np.where(certified, p_loss * (1 - venues.trust_premium[np.maximum(deal_via, 0)]), p_loss)
    repeat = product == users.last_product[buyers[rows]]  # a buyer's own last product is no broker's find
    worth = value[rows, cols] * scale
    return Purchases(
        buyers=buyers[rows],
        product=product,
        via=deal_via,
        list_price=list_price[rows, cols],
        paid=pay[rows, cols],
        free=free[rows, cols],
        value=worth,
        surplus=choice.utility,
        risk=risk[rows, cols] * scale,
        p_loss=np.minimum(p_loss, 1.0),
        at_stake=worth * share[rows, cols],
        recovery=np.broadcast_to(recovery, via.shape)[rows, cols],
        misreport=users.misreports[buyers[rows]],
        rank=choice.rank,
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
    slot = products.view("slot")
    blocks = [draw_candidates(draws.slots("candidates_off", buyers, 2 * (b.k_off + broker_boost)), off, weights[off],
                              slot[off])]
    vias = [OFF_EXCHANGE]
    for x in venues.open:
        pool = np.flatnonzero(active & (channel == x))
        k = b.k_on + int(venues.reach[x])
        cand = draw_candidates(draws.slots(f"candidates_on:{x}", buyers, 2 * k), pool, weights[pool], slot[pool])
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
