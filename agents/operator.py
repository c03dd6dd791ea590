"""Public-data operator (公共数据运营机构, e.g. 武汉数据集团; plan 二.2, 三.5)."""

from __future__ import annotations

from collections import deque

import mesa
import numpy as np

from sim import pricing
from sim.demand import Purchases
from sim.population import OPERATOR, Products
from sim.settlement import OperatorIncome
from sim.sharing import SHARES, split_revenue


class PublicDataOperator(mesa.Agent):
    """Builds one direct public-data service per authorized domain, prices it under the
    pricing regime, invests in governance, licenses its domains to merchants as inputs and
    shares its revenue (MODEL §6.2, §6.4)."""

    def __init__(self, model, key: str, index: int):
        super().__init__(model)
        self.key = key
        self.index = index
        self.account = model.ledger.open(f"operator:{key}")
        self.founded = False
        self.domains: list[int] = []
        self.product_of: dict[int, int] = {}  # domain -> product
        self.contributors: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # product -> (accounts, weights)
        window = model.params.policy.pricing.cost_window
        self.costs: deque[float] = deque(maxlen=window)
        self.paid_uses: deque[float] = deque(maxlen=window)
        self.price = model.params.policy.pricing.initial_price
        pricing_params = model.params.policy.pricing
        self.allowed = pricing.AllowedRevenue(pricing_params.allowed_profit_rate, pricing_params.tax_rate)

    @property
    def params(self):
        return self.model.params.operators[self.key]

    def found(self) -> None:
        """Start operating with state capital from the treasury (plan 二.2 组建武汉数据集团)."""
        m = self.model
        self.founded = True
        m.ledger.transfer(m.accounts["treasury"], self.account, "capital", self.params.initial_capital)
        self.allowed.start_year(self._planned_monthly_cost() * (13 - m.calendar_month))

    def authorize(self, domains: list[int]) -> None:
        """Take on authorized domains: one product each, co-developed by invited merchants."""
        m = self.model
        for d in domains:
            if d in self.product_of:
                continue
            self.domains.append(d)
            m.domains.authorize(d, self.index)
            product = m.products.add(
                owner=self.index, by_operator=True, account=self.account, domains=(d, -1), channel=OPERATOR,
                quality=m.domains.quality[d], price=self.price, compliant=True, created=m.month_index,
                listing_taste=0.0, relevance=m.domains.relevance[d],
            )
            self.product_of[d] = product
            self.contributors[product] = self._invite_co_developers()

    def _invite_co_developers(self) -> tuple[np.ndarray, np.ndarray]:
        """The most capable merchants that can afford it invest in the product (谁投入)."""
        m, p = self.model, self.params
        able = [x for x in m.merchants if m.ledger.balance[x.account] >= p.co_investment]
        able.sort(key=lambda x: (-x.capability, x.index))
        chosen = able[: p.co_developers]
        for x in chosen:
            m.ledger.transfer(x.account, self.account, "co_investment", p.co_investment)
        accounts = np.array([x.account for x in chosen], dtype=np.int64)
        return accounts, np.full(accounts.size, max(p.co_investment, 1e-12))

    def _planned_monthly_cost(self) -> float:
        return self.params.monthly_cost + self.params.governance_spend

    def supply(self) -> None:
        """Pay operating cost and fund governance of the authorized domains (MODEL §6.1)."""
        m, p = self.model, self.params
        m.ledger.transfer(self.account, m.accounts["economy"], "operating_cost", p.monthly_cost)
        if self.domains:
            per_domain = p.governance_spend / len(self.domains)
            m.ledger.transfer(self.account, m.domains.accounts[self.domains], "governance", per_domain)
        self.costs.append(self._planned_monthly_cost())

    def set_price(self) -> None:
        """Price of a paid use under the regime (MODEL §6.2); written to the operator's products."""
        m = self.model
        rule = m.params.policy.pricing
        if rule.regime == "free":
            self.price = 0.0
        elif rule.regime == "cost_plus_cap":
            if sum(self.paid_uses) > 0:
                cost = pricing.unit_cost(sum(self.costs), sum(self.paid_uses), rule.unit_cost_floor)
                self.price = pricing.cost_plus_cap(cost, rule.markup, rule.cap)
            else:
                self.price = min(rule.initial_price, rule.cap)
        elif rule.regime == "allowed_revenue":
            if m.calendar_month == 1 and m.month_index > 0:
                self.allowed.start_year(float(np.mean(self.costs)) * 12)
            expected = float(np.mean(self.paid_uses)) if self.paid_uses else 0.0
            if expected > 0:
                self.price = self.allowed.price(13 - m.calendar_month, expected, rule.cap, rule.unit_cost_floor)
            else:
                self.price = min(rule.initial_price, rule.cap)
        elif self.price <= 0:  # market regime, e.g. after a switch from free
            self.price = rule.initial_price
        m.products.set_price(list(self.product_of.values()), self.price)

    def adapt_market_price(self, paid_uses: float) -> None:
        """Market regime: adapt like a merchant, with no cap (MODEL §6.2)."""
        m = self.model
        if m.params.policy.pricing.regime != "market" or not self.product_of:
            return
        recent = float(np.mean(self.paid_uses)) if self.paid_uses else 0.0
        self.price = float(
            pricing.adapt_prices(np.array([self.price]), np.array([paid_uses]), np.array([recent]),
                                 m.params.behaviour.price_adjust, m.params.behaviour.marginal_cost)[0]
        )

    def close_month(self, gross: np.ndarray, purchases: Purchases, products: Products,
                    represents: float) -> OperatorIncome:
        """Collect input licences from merchants, count the uses of the services, adapt a market
        price, and share the month's revenue (MODEL §6.4).

        Args:
            gross: gross revenue of each product this month, 万元 (city-scale).
            purchases: the month's purchases.
            represents: users each user agent stands for.
        """
        if not self.founded:
            return OperatorIncome()
        m = self.model
        rule = m.params.policy.pricing
        revenue = {prod: float(gross[prod]) for prod in self.product_of.values()}
        merchant_owned = products.merchant_owned()
        licence = self.price * rule.licence_uses
        licences = 0.0
        n_licences = 0
        for d, prod in self.product_of.items():
            users = np.flatnonzero(merchant_owned & ((products.view("domain_a") == d) | (products.view("domain_b") == d)))
            n_licences += users.size
            if licence > 0 and users.size:
                m.ledger.transfer(products.account[users], self.account, "licence", licence)
                revenue[prod] += licence * users.size
                licences += licence * users.size
        mine = (purchases.via == OPERATOR) & (products.owner[purchases.product] == self.index)
        paid = float(np.sum(mine & ~purchases.free)) * represents
        free = float(np.sum(mine & purchases.free)) * represents
        self.adapt_market_price(paid)
        shares = self.settle(revenue, paid + rule.licence_uses * n_licences)
        return OperatorIncome(paid_uses=paid, free_uses=free, licences=licences, shares=shares)

    def settle(self, revenue_by_product: dict[int, float], paid_uses: float) -> dict[str, float]:
        """Share this month's gross revenue of each product (plan 三.5) and return the four parts' totals."""
        m = self.model
        products = list(revenue_by_product)
        parts = split_revenue(np.array(list(revenue_by_product.values()), dtype=float),
                              m.params.policy.revenue_sharing)
        domains = m.products.domain_a[products]
        m.ledger.transfer(self.account, m.domains.accounts[domains], "share_data_providers", parts["data_providers"])
        m.ledger.transfer(self.account, m.accounts["public_service_fund"], "share_public_services",
                          parts["public_services"])
        payees, amounts = [], []  # co-developers by their investment; the contributor pool if none
        for product, part in zip(products, parts["contributors"].tolist()):
            accounts, weights = self.contributors[product]
            if accounts.size:
                payees.append(accounts)
                amounts.append(part * weights / weights.sum())
            else:
                payees.append(np.array([m.accounts["contributor_pool"]]))
                amounts.append(np.array([part]))
        if payees:
            m.ledger.transfer(self.account, np.concatenate(payees), "share_contributors", np.concatenate(amounts))
        totals = {k: float(sum(parts[k].tolist(), 0.0)) for k in SHARES}
        self.paid_uses.append(paid_uses)
        if m.params.policy.pricing.regime == "allowed_revenue":
            self.allowed.record(sum(revenue_by_product.values()))
            if m.calendar_month == 12:
                self.allowed.close_year()
        return totals
