"""Settlement (MODEL §6.8): the month's purchases become money flows.

Buyers pay their part of each price, the treasury pays data vouchers while its budget lasts,
sellers pay the exchange fee on trades through an exchange and the broker commission on the
deals brokers found. Deals that went wrong cost their buyers part of the value; on an exchange its
dispute process recovers a share of the loss from the seller, at a cost to the exchange.
:func:`settle` computes the flows; :meth:`Settlement.post` writes them to the
ledger. Operators' licences and revenue sharing are the operators' own
(:class:`OperatorIncome` is what each reports); :func:`fund_spending` is the public-service
fund's monthly rule (plan 三.5 反哺公共服务建设). Pure functions on arrays; no Mesa here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.demand import Purchases
from sim.ledger import Ledger
from sim.population import OFF_EXCHANGE
from sim.sharing import SHARES


def voucher_rate(rate: float, budget: float, spent: float) -> float:
    """Share of an on-exchange price a data voucher pays: ``rate`` until the budget (万元) is spent."""
    return rate if spent < budget else 0.0


@dataclass(frozen=True)
class Settlement:
    """Money of the month's purchases, city-scale 万元.

    Per purchase: ``gross_tx`` (list price, 0 for a free use), ``paid_tx`` (by the buyer) and
    ``voucher_tx`` (by the treasury), ``loss_tx`` (value the buyers lost, not money) and
    ``recovered_tx`` (recovered from the seller). Per product (length ``n_products``): the flows to
    post and the sales statistics.
    """

    gross_tx: np.ndarray
    paid_tx: np.ndarray
    voucher_tx: np.ndarray
    sales: np.ndarray  # buyers → seller
    vouchers: np.ndarray  # treasury → seller
    fees: tuple[np.ndarray, ...]  # seller → exchange, one array per exchange (by index)
    commissions: np.ndarray | None  # seller → brokers; None without brokers
    gross: np.ndarray  # revenue before fees
    units: np.ndarray  # city-scale units sold
    units_on_exchange: np.ndarray
    lost: np.ndarray  # bool per purchase: the deal went wrong
    loss_tx: np.ndarray
    recovered_tx: np.ndarray
    recoveries: np.ndarray  # seller → buyers, per product
    dispute_costs: np.ndarray  # exchange → economy, per exchange (by index)

    @property
    def voucher_spend(self) -> float:
        return float(self.voucher_tx.sum())

    def post(self, ledger: Ledger, sellers: np.ndarray, buyers: int, treasury: int, exchanges: list[int],
             brokers: int, economy: int) -> None:
        """Write the flows: sales, vouchers, exchange fees (in exchange order), broker commissions,
        dispute recoveries and the exchanges' cost of resolving disputes.

        Args:
            sellers: ledger account of each product's owner.
            buyers, treasury, brokers, economy: the users', treasury's, brokers' and outside economy's accounts.
            exchanges: account of each exchange, by index.
        """
        ledger.transfer(buyers, sellers, "sale", self.sales)
        ledger.transfer(treasury, sellers, "voucher", self.vouchers)
        for account, fees in zip(exchanges, self.fees):
            ledger.transfer(sellers, account, "exchange_fee", fees)
        if self.commissions is not None:
            ledger.transfer(sellers, brokers, "broker_commission", self.commissions)
        ledger.transfer(sellers, buyers, "dispute_recovery", self.recoveries)
        for account, cost in zip(exchanges, self.dispute_costs.tolist()):
            ledger.transfer(account, economy, "dispute_cost", cost)


def settle(purchases: Purchases, n_products: int, represents: float, voucher_budget_left: float,
           fee_rates: np.ndarray, commission_rate: float | None, by_operator: np.ndarray, lost: np.ndarray,
           dispute_cost: np.ndarray) -> Settlement:
    """The money of the month's purchases, and of the deals that went wrong.

    Args:
        n_products: number of products (length of the per-product arrays).
        represents: users each user agent stands for.
        voucher_budget_left: voucher budget not yet spent, 万元; if this month's vouchers would
            exceed it they are scaled down and buyers pay the rest.
        fee_rates: transaction fee of each exchange (by index), share of the price.
        commission_rate: broker commission on the deals brokers found (``purchases.brokered``),
            share; None without brokers.
        by_operator: (n_products,) bool, products of public-data operators (no commission).
        lost: (purchases.n,) bool, the deals that went wrong (drawn with chance ``purchases.p_loss``).
        dispute_cost: each exchange's cost of resolving one dispute (by index), 万元; a deal that went
            wrong on an exchange with a dispute process (recovery > 0) is one dispute.
    """
    n = n_products
    product, via = purchases.product, purchases.via
    gross_tx = np.where(purchases.free, 0.0, purchases.list_price) * represents
    paid_tx = purchases.paid * represents
    voucher_tx = gross_tx - paid_tx
    if voucher_tx.sum() > voucher_budget_left:  # the budget runs out this month: buyers pay the rest
        scale = voucher_budget_left / voucher_tx.sum()
        paid_tx = paid_tx + voucher_tx * (1 - scale)
        voucher_tx = voucher_tx * scale
    fees = tuple(np.bincount(product[via == x], gross_tx[via == x], minlength=n) * rate
                 for x, rate in enumerate(fee_rates))
    commissions = None
    if commission_rate is not None:
        found = purchases.brokered & (via == OFF_EXCHANGE) & ~by_operator[product]
        commissions = np.bincount(product[found], gross_tx[found], minlength=n) * commission_rate
    loss_tx = np.where(lost, purchases.at_stake, 0.0) * represents
    recovered_tx = loss_tx * purchases.recovery
    disputed = lost & (via >= 0) & (purchases.recovery > 0)
    return Settlement(
        gross_tx=gross_tx,
        paid_tx=paid_tx,
        voucher_tx=voucher_tx,
        sales=np.bincount(product, paid_tx, minlength=n),
        vouchers=np.bincount(product, voucher_tx, minlength=n),
        fees=fees,
        commissions=commissions,
        gross=np.bincount(product, gross_tx, minlength=n),
        units=np.bincount(product, minlength=n) * represents,
        units_on_exchange=np.bincount(product[via >= 0], minlength=n) * represents,
        lost=lost,
        loss_tx=loss_tx,
        recovered_tx=recovered_tx,
        recoveries=np.bincount(product, recovered_tx, minlength=n),
        dispute_costs=np.array([np.sum(disputed & (via == x)) for x in range(len(dispute_cost))])
        * represents * np.asarray(dispute_cost, dtype=float),
    )


@dataclass(frozen=True)
class OperatorIncome:
    """A public-data operator's month (MODEL §6.4): uses of its services, licences, and its gross
    revenue split into the four shares (plan 三.5), city-scale, 万元."""

    paid_uses: float = 0.0
    free_uses: float = 0.0
    licences: float = 0.0  # input licences paid by merchants
    shares: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SHARES, 0.0))
    cost: float = 0.0  # the month's cost: operating (fixed, per domain, per use) and governance
    allowance: float = 0.0  # the month's part of the tariff year's allowed revenue

    @property
    def revenue(self) -> float:
        """Gross operator revenue: the four shares add up to it."""
        return sum(self.shares.values())

    def __add__(self, other: OperatorIncome) -> OperatorIncome:
        return OperatorIncome(
            paid_uses=self.paid_uses + other.paid_uses,
            free_uses=self.free_uses + other.free_uses,
            licences=self.licences + other.licences,
            shares={k: self.shares[k] + other.shares[k] for k in SHARES},
            cost=self.cost + other.cost,
            allowance=self.allowance + other.allowance,
        )


def fund_spending(balance: float, free_use_cost: np.ndarray, spend_rate: float, cover: float
                  ) -> tuple[np.ndarray, float]:
    """The public-service fund's month (plan 三.5 反哺公共服务建设): it spends ``spend_rate`` of
    its balance, first reimbursing ``cover`` of each operator's cost of serving last month's free
    public-interest uses (pro rata if the budget is short), then the rest on governance of the
    non-restricted domains.

    Args:
        balance: the fund's balance, 万元.
        free_use_cost: (n_operators,) each operator's cost of last month's free uses, 万元.
    Returns:
        the reimbursement to each operator and the governance spend, 万元.
    """
    budget = max(0.0, balance) * spend_rate
    owed = cover * np.asarray(free_use_cost, dtype=float)
    total = float(owed.sum())
    reimburse = owed if total <= budget else owed * (budget / total)
    return reimburse, max(0.0, budget - float(reimburse.sum()))  # rounding never overdraws the budget
