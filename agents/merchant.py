"""Data merchant (数据商; plan 三.2, 五.1, 五.2): develops products, pays its costs, borrows
against registered data assets, and exits after sustained losses (MODEL §6.3)."""

from __future__ import annotations

from collections import deque

import mesa
import numpy as np

from sim.population import OFF_EXCHANGE


class DataMerchant(mesa.Agent):
    def __init__(self, model, index: int, capability: float, honesty: float, focus: int, cash: float):
        super().__init__(model)
        self.index = index
        self.capability = capability
        self.honesty = honesty
        self.focus = focus
        self.account = model.ledger.open(f"merchant:{index}")
        model.ledger.transfer(model.accounts["investors"], self.account, "capital", cash)
        self.negative_months = 0
        self.violations = 0
        self.warned = False
        self.debt = 0.0
        self.sales: deque[float] = deque(maxlen=12)  # monthly sales revenue, 万元

    @property
    def cash(self) -> float:
        return float(self.model.ledger.balance[self.account])

    def supply(self) -> None:
        """Month's supply decisions once costs and interest are paid: borrow or repay, then
        maybe develop a product."""
        m = self.model
        par = m.params.population.merchants
        n_active = int(m.products_per_merchant[self.index])
        assets = m.params.policy.data_assets
        if assets.registration:
            self._borrow_or_repay(assets)
        if n_active < par.max_products and self._wants_to_develop(par):
            self.develop()

    def _borrow_or_repay(self, assets) -> None:
        """Borrow against registered products when short of cash (reg 40 数据信贷); repay when flush."""
        m = self.model
        dev_cost = m.params.population.merchants.dev_cost
        value = sum(self.sales) * 12 / max(len(self.sales), 1) * assets.valuation_multiple
        room = assets.loan_to_value * value - self.debt
        if self.cash < dev_cost and room > 0:
            m.ledger.transfer(m.accounts["bank"], self.account, "loan", room)
            m.month_loans += room
            self.debt += room
        elif self.debt > 0 and self.cash > 3 * dev_cost:
            pay = min(self.debt, self.cash - 2 * dev_cost)
            m.ledger.transfer(self.account, m.accounts["bank"], "repayment", pay)
            self.debt -= pay

    def _wants_to_develop(self, par) -> bool:
        """Chance rises with cash and with the market's expected profit per product."""
        m = self.model
        b = m.params.behaviour
        if par.dev_cost <= 0:
            affordable = 1.0
        else:
            affordable = min(1.0, max(0.0, self.cash / par.dev_cost))
        outlay = par.dev_cost + par.product_upkeep * b.payback_months
        attractive = min(2.0, max(0.0, m.expected_product_revenue * b.payback_months / max(outlay, 1e-9)))
        return m.streams["development"].random() < b.dev_rate * affordable * attractive / 2

    def develop(self, pay: bool = True) -> int:
        """Build a product from accessible inputs (MODEL §6.3) and sell it off-exchange at first.
        ``pay=False`` for the pre-reform stock a merchant already owns when the run starts."""
        m = self.model
        b = m.params.behaviour
        rng = m.streams["development"]
        if pay:
            m.ledger.transfer(self.account, m.accounts["economy"], "development", m.params.population.merchants.dev_cost)
        usable = np.flatnonzero(m.domain_usable())
        if usable.size:
            w = m.domain_quality[usable] * (m.domain_relevance[usable, self.focus] + 1e-9)
            k = min(usable.size, 1 + int(rng.random() < 0.5))
            inputs = rng.choice(usable, size=k, replace=False, p=w / w.sum())
            quality = self.capability * float(np.mean(m.domain_quality[inputs])) * (1 + b.own_data_bonus)
            relevance = m.domain_relevance[inputs].mean(axis=0)
            domains = (int(inputs[0]), int(inputs[1]) if k > 1 else -1)
        else:
            quality = self.capability * b.own_data_quality
            relevance = np.full(m.n_sectors, b.default_relevance)
            relevance[self.focus] = 1.0
            domains = (-1, -1)
        p_illicit = (1 - self.honesty) * b.noncompliance_propensity * (1 - b.deterrence * m.regulator.active)
        compliant = not rng.random() < p_illicit
        if not compliant:
            quality *= 1 + b.illicit_quality_bonus
        quality = min(1.0, quality)
        price = m.launch_price(quality, relevance)
        return m.products.add(
            owner=self.index, by_operator=False, account=self.account, domains=domains, channel=OFF_EXCHANGE,
            quality=quality, price=price, compliant=compliant, created=m.t, listing_taste=float(rng.normal()),
            relevance=relevance,
        )

    def close_month(self, revenue: float) -> None:
        """Record the month's sales and count months spent with negative cash."""
        self.sales.append(revenue)
        self.negative_months = self.negative_months + 1 if self.cash < 0 else 0
