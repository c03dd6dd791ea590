"""Data merchant (数据商; plan 三.2, 五.1, 五.2): enters when the market pays, pays its costs,
borrows against registered data assets, develops products, adapts their prices and exits after
sustained losses, severe violations or a penalty it cannot pay (MODEL §6.3).

Merchants are few (hundreds), so each is a Mesa agent; what every merchant does alike each
month (entry, costs, borrowing and repaying, the chance of developing, exit, price adaptation)
is vectorised in class methods over ``model.agents_by_type[DataMerchant]`` and the products
table. Only the development decisions are taken merchant by merchant
(:meth:`DataMerchant.develop_in_turn`), each from the merchant's own slot of the month's draws.
"""

from __future__ import annotations

import math
from collections import deque

import mesa
import numpy as np

from sim import institutions, pricing
from sim.domains import NO_OPERATOR
from sim.population import OFF_EXCHANGE, Products
from sim.streams import normal, pick, pick_distinct, poisson


class DataMerchant(mesa.Agent):
    """One data merchant.

    Args:
        index: the merchant's number (0, 1, … in order of entry); products' ``owner``.
        capability: 0-1, scales the quality of its products.
        honesty: 0-1, lowers the chance it adds unauthorized personal data.
        focus: the user sector it builds for.
        cash: starting capital from investors, 万元.
    """

    DRAWS = 5  # uniforms a product's development takes (see :meth:`develop`)

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
        self.insolvent = False  # could not pay a penalty in full: exits
        self.year_sales = 0.0  # sales revenue of the current calendar year, 万元
        self.last_year_sales = 0.0  # of the previous calendar year (the turnover of PIPL art. 66(2)), 万元
        self.debt = 0.0
        self.certificate = False  # holds a data-asset certificate: its revenue is pledgeable (reg 40)
        self.sales: deque[float] = deque(maxlen=model.params.behaviour.asset_sales_window)  # monthly sales, 万元

    # ---- the population -----------------------------------------------------------------------

    @classmethod
    def create(cls, model) -> DataMerchant:
        """A new merchant with capability, honesty, focus sector and capital drawn from its own
        generator, keyed by its index (the n-th merchant has the same traits whenever it enters)."""
        par = model.params.population.merchants
        weights = model.sector_weights
        rng = model.streams.generator("merchant", model.n_merchants_ever)
        merchant = cls(
            model, model.n_merchants_ever,
            capability=float(rng.beta(par.capability.a, par.capability.b)),
            honesty=float(rng.beta(par.honesty.a, par.honesty.b)),
            focus=pick(weights, rng.random()),
            cash=float(rng.exponential(par.initial_cash)),
        )
        model.n_merchants_ever += 1
        return merchant

    @staticmethod
    def attractiveness(model, recent_profit: list[float]) -> float:
        """How much the market's recent returns multiply the entry rate. The payoff of entering
        relative to its cost, ``x = 1 + (π̄ · payback + grant) / entry_cost`` (1 at break-even),
        maps smoothly onto ``A = A_max · x⁺ / (x⁺ + A_max − 1)``: A is 1 at break-even, 0 when
        entry cannot pay, and approaches ``A_max = entry_attractiveness_max`` only for payoffs
        far above the cost, so the ceiling does not bind in normal times. π̄ is an entrant's
        expected monthly operating profit: the mean over the last ``entry_profit_window`` months
        of merchants' operating profit (``merchant_operating_profit``: without fines,
        confiscations and financing, which an entrant does not expect to share) per merchant."""
        s = model.params
        par, b = s.population.merchants, s.behaviour
        recent = recent_profit[-b.entry_profit_window:]
        profit = float(np.mean(recent)) / max(len(model.merchants), 1) if recent else 0.0
        grant = s.policy.cultivation.entry_subsidy
        payoff = max(0.0, 1 + (profit * b.payback_months + grant) / par.entry_cost)
        ceiling = b.entry_attractiveness_max
        if ceiling <= 1 or math.isinf(payoff):  # no room above break-even, or a payoff beyond any cost
            return min(payoff, ceiling)
        return ceiling * payoff / (payoff + ceiling - 1)

    @classmethod
    def enter(cls, model, rng: np.random.Generator, attractiveness: float) -> int:
        """Entry: Poisson with mean ``entry_rate`` × ``attractiveness`` (:meth:`attractiveness`);
        cultivation raises it. Entrants pay the entry cost and receive the grant. Returns the
        number of entrants."""
        s = model.params
        par = s.population.merchants
        grant = s.policy.cultivation.entry_subsidy
        n_new = poisson(par.entry_rate * (1 + s.policy.cultivation.effect) * attractiveness, rng.random())
        for _ in range(n_new):
            merchant = cls.create(model)
            model.ledger.transfer(merchant.account, model.accounts["economy"], "development", par.entry_cost)
            model.ledger.transfer(model.accounts["treasury"], merchant.account, "entry_subsidy", grant)
        return int(n_new)

    @staticmethod
    def pay_costs(model, merchants: list[DataMerchant], n_products: np.ndarray) -> None:
        """Every merchant pays its fixed and per-product costs, and interest on its debt.

        Args:
            n_products: active products per merchant index.
        """
        if not merchants:
            return
        par = model.params.population.merchants
        accounts = np.array([x.account for x in merchants])
        n_active = n_products[[x.index for x in merchants]]
        model.ledger.transfer(accounts, model.accounts["economy"], "operating_cost",
                              par.fixed_cost + par.product_upkeep * n_active)
        debt = np.array([x.debt for x in merchants])
        rate = DataMerchant.loan_rate(model)
        model.ledger.transfer(accounts, model.accounts["bank"], "interest", debt * rate / 12)

    @staticmethod
    def loan_rate(model) -> float:
        """Annual interest on asset loans: ``interest_rate``, less ``registry.rate_cut`` where
        registration is integrated with trading and counts as collateral evidence (Wuxi art. 40)."""
        policy = model.params.policy
        rate = policy.data_assets.interest_rate
        if policy.registry.integrated and policy.data_assets.registration:
            rate = max(0.0, rate - policy.registry.rate_cut)
        return rate

    @staticmethod
    def pledge_room(model, merchants: list[DataMerchant], annual_sales: np.ndarray, short: np.ndarray) -> np.ndarray:
        """Extra borrowing room from data-asset certificates (reg 40 数据资产凭证; 数据信贷、信托、证券化),
        万元 per merchant: a merchant short of cash with sales and no certificate buys one
        (``certificate_cost``, paid to the economy) when the room it opens, ``revenue_pledge`` ×
        its trailing-12-month sales, exceeds the cost; a certified merchant can pledge that much."""
        assets = model.params.policy.data_assets
        if not assets.certificates:
            return np.zeros(len(merchants))
        pledge = assets.revenue_pledge * annual_sales
        held = np.array([x.certificate for x in merchants], dtype=bool)
        buy = short & ~held & (pledge > assets.certificate_cost)
        if buy.any():
            accounts = np.array([x.account for x in merchants])[buy]
            model.ledger.transfer(accounts, model.accounts["economy"], "operating_cost", assets.certificate_cost)
            for i in np.flatnonzero(buy).tolist():
                merchants[i].certificate = True
        return np.where(held | buy, pledge, 0.0)

    @staticmethod
    def lose_to_imitators(model, gross: np.ndarray) -> np.ndarray:
        """Copies of products built on authorized public data take a share of their sales
        (:func:`sim.institutions.imitation_take`; Wuxi art. 41 protects them): the share is paid from
        each such product's account to the economy (kind ``imitation``). Returns each product's
        gross revenue, 万元, net of it."""
        rights = model.params.policy.rights
        take = institutions.imitation_take(rights.imitation_share, rights.protection, rights.protection_effect)
        if take <= 0:
            return gross
        p = model.products
        hit = p.merchant_owned() & DataMerchant._on_authorized_data(model, p.view("domain_a"), p.view("domain_b"))
        lost = np.where(hit, take * gross, 0.0)
        rows = np.flatnonzero(lost > 0)
        if rows.size:
            model.ledger.transfer(p.account[rows], model.accounts["economy"], "imitation", lost[rows])
        return gross - lost

    @staticmethod
    def _on_authorized_data(model, domain_a: np.ndarray, domain_b: np.ndarray) -> np.ndarray:
        """Whether a product (or input) uses a domain under authorized operation."""
        authorized = np.append(model.domains.operator != NO_OPERATOR, False)  # index -1: no input
        return authorized[domain_a] | authorized[domain_b]

    @staticmethod
    def finance(model, merchants: list[DataMerchant]) -> float:
        """Borrow against registered data assets when short of cash (reg 40 数据信贷), repay when
        flush. A data asset is valued on the last ``asset_sales_window`` months of sales.
        Returns the month's new loans, 万元."""
        assets = model.params.policy.data_assets
        if not assets.registration or not merchants:
            return 0.0
        b = model.params.behaviour
        dev_cost = model.params.population.merchants.dev_cost
        accounts = np.array([x.account for x in merchants])
        debt = np.array([x.debt for x in merchants])
        annual = np.array([sum(x.sales) * 12 / max(len(x.sales), 1) for x in merchants])
        short = model.ledger.balance[accounts] < b.borrow_below * dev_cost
        pledge = DataMerchant.pledge_room(model, merchants, annual, short)
        room = assets.loan_to_value * annual * assets.valuation_multiple + pledge - debt
        cash = model.ledger.balance[accounts]
        borrow = short & (room > 0)
        repay = ~borrow & (debt > 0) & (cash > b.repay_above * dev_cost)
        pay = np.minimum(debt, cash - b.cash_reserve * dev_cost)
        bank = model.accounts["bank"]
        model.ledger.transfer(bank, accounts[borrow], "loan", room[borrow])
        model.ledger.transfer(accounts[repay], bank, "repayment", pay[repay])
        debt = np.where(borrow, debt + room, np.where(repay, debt - pay, debt))
        for x, d in zip(merchants, debt.tolist()):
            x.debt = d
        return float(room[borrow].sum())

    @staticmethod
    def development_chances(model, merchants: list[DataMerchant], n_products: np.ndarray) -> np.ndarray:
        """Each merchant's chance of developing a product this month: it rises with cash (up to
        ``dev_cost``) and with the market's expected revenue per product over the outlay (capped
        at ``dev_attractiveness_max``), up to ``dev_rate``. NaN for merchants at ``max_products``,
        which do not develop (and draw nothing)."""
        par, b = model.params.population.merchants, model.params.behaviour
        cash = model.ledger.balance[np.array([x.account for x in merchants], dtype=np.int64)]
        affordable = np.ones(cash.size) if par.dev_cost <= 0 else np.clip(cash / par.dev_cost, 0.0, 1.0)
        outlay = par.dev_cost + par.product_upkeep * b.payback_months
        cap = b.dev_attractiveness_max
        attractive = min(cap, max(0.0, model.expected_product_revenue * b.payback_months / max(outlay, 1e-9)))
        chance = b.dev_rate * affordable * attractive / cap
        full = n_products[np.array([x.index for x in merchants], dtype=np.int64)] >= par.max_products
        return np.where(full, np.nan, chance)

    @staticmethod
    def develop_in_turn(merchants: list[DataMerchant], chance: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Activation: each merchant that may develop does so now with its ``chance``, in order of
        entry. ``u`` holds each merchant's own draws of the month, ``(len(merchants), 1 + DRAWS)``:
        column 0 decides, the rest are the product's (:meth:`develop`). Returns the new products."""
        chance = chance.tolist()
        new = [merchants[i].develop(u[i, 1:]) for i in range(len(merchants))
               if not math.isnan(chance[i]) and u[i, 0] < chance[i]]
        return np.array(new, dtype=np.int64)

    @staticmethod
    def leaving(merchants: list[DataMerchant], exit_after: int, severe_violations: int) -> list[DataMerchant]:
        """Merchants that exit: ``exit_after`` months in a row with negative cash,
        ``severe_violations`` penalised violations, or a penalty they could not pay (insolvent)."""
        return [x for x in merchants
                if x.negative_months >= exit_after or x.violations >= severe_violations or x.insolvent]

    @staticmethod
    def exit(leaving: list[DataMerchant], products: Products) -> None:
        """The merchants leave the market; their products leave with them."""
        gone = np.isin(products.view("owner"), [x.index for x in leaving]) & ~products.view("by_operator")
        products.deactivate(np.flatnonzero(gone))
        for x in leaving:
            x.remove()

    @staticmethod
    def retire_and_reprice(products: Products, month: int, b) -> None:
        """Merchants retire products unsold for ``retire_after`` months, and adapt the prices of
        the rest to last month's sales (:func:`sim.pricing.adapt_prices`)."""
        stale = products.merchant_owned() & (month - products.view("last_sale") >= b.retire_after)
        products.deactivate(np.flatnonzero(stale))
        own = np.flatnonzero(products.merchant_owned())
        products.set_price(own, pricing.adapt_prices(products.price[own], products.month_units[own],
                                                     products.recent[own], b.price_adjust, b.marginal_cost))

    # ---- one merchant -------------------------------------------------------------------------

    @property
    def cash(self) -> float:
        return float(self.model.ledger.balance[self.account])

    def develop(self, u: np.ndarray, pay: bool = True) -> int:
        """Build a product from accessible inputs (MODEL §6.3) and sell it off-exchange at first.
        ``u``: the merchant's :attr:`DRAWS` uniforms for this product (a second input, the two
        inputs, compliance, listing taste). ``pay=False`` for the pre-reform stock a merchant
        already owns when the run starts."""
        m = self.model
        b = m.params.behaviour
        if pay:
            m.ledger.transfer(self.account, m.accounts["economy"], "development", m.params.population.merchants.dev_cost)
        domains = m.domains
        usable, gains = self._worthwhile_inputs()
        if usable.size:
            k = min(usable.size, 1 + int(u[0] < b.p_second_input))
            inputs = pick_distinct(usable, gains, u[1:1 + k])
            # sum / k is what np.mean computes, without its overhead
            quality = self.capability * (float(domains.quality[inputs].sum()) / k) * (1 + b.own_data_bonus)
            relevance = domains.relevance[inputs].sum(axis=0) / k
            pair = (int(inputs[0]), int(inputs[1]) if k > 1 else -1)
        else:
            quality = self.capability * b.own_data_quality
            relevance = np.full(domains.relevance.shape[1], b.default_relevance)
            relevance[self.focus] = 1.0
            pair = (-1, -1)
        compliant = not u[3] < self._p_illicit(pair)
        if not compliant:
            quality *= 1 + b.illicit_quality_bonus
        quality = min(1.0, quality)
        return m.products.add(
            owner=self.index, by_operator=False, account=self.account, domains=pair, channel=OFF_EXCHANGE,
            quality=quality, price=self._launch_price(quality, relevance), compliant=compliant, created=m.month_index,
            listing_taste=normal(float(u[4])), relevance=relevance,
        )

    def _p_illicit(self, pair: tuple[int, int]) -> float:
        """Chance of adding unauthorized personal data to a new product: ``(1 − honesty) ×
        noncompliance_propensity``, divided by ``1 + deterrence_elasticity × E[penalty] / E[gain]``.
        The gain is the quality bonus's share of the revenue a product is expected to earn over
        ``payback_months``; the penalty is what the regulator's audits, tiers and tolerance make
        of being caught (:meth:`agents.regulator.Regulator.expected_penalty`)."""
        m = self.model
        b = m.params.behaviour
        revenue = m.expected_product_revenue * b.payback_months
        serious = bool(m.domains.touches_important(np.array(pair[0]), np.array(pair[1])))
        penalty = m.regulator.expected_penalty(revenue, serious, self.last_year_sales, self.warned, b.payback_months)
        gain = b.illicit_quality_bonus * revenue
        ratio = 0.0 if penalty == 0 else (penalty / gain if gain > 0 else math.inf)
        return (1 - self.honesty) * b.noncompliance_propensity / (1 + b.deterrence_elasticity * ratio)

    def _worthwhile_inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """The usable public-data domains worth building on, and the net gain of each over the
        merchant's horizon (:func:`sim.pricing.input_gains`): an input's expected revenue
        (quality × relevance to the merchant's sector × the market's expected product revenue)
        less its licence (its operator's price × ``licence_uses``). A dearer licence shifts the
        choice to other inputs; with no worthwhile input the merchant builds on its own data."""
        m = self.model
        domains = m.domains
        usable = np.flatnonzero(domains.usable())
        licence = np.zeros(len(domains.ids))
        for op in m.operators:
            licence[op.domains] = op.licence_price
        rights = m.params.policy.rights  # copies take a share of what an authorized input earns (Wuxi art. 41)
        take = institutions.imitation_take(rights.imitation_share, rights.protection, rights.protection_effect)
        kept = 1 - take * self._on_authorized_data(m, usable, np.full(usable.size, -1))
        gains = pricing.input_gains(domains.quality[usable] * kept,
                                    domains.relevance[usable, self.focus] + m.params.behaviour.relevance_floor,
                                    licence[usable], m.expected_product_revenue, m.params.behaviour.payback_months)
        worth = gains > 0
        return usable[worth], gains[worth]

    def _launch_price(self, quality: float, relevance: np.ndarray) -> float:
        """Launch price: a share of the product's value to an average buyer, at least marginal cost."""
        s = self.model.params
        b = s.behaviour
        value = b.value_scale * s.population.users.maturity.mean * quality * float(relevance @ self.model.sector_weights)
        return max(b.initial_price_share * value, b.marginal_cost)

    def warn(self) -> bool:
        """A first minor violation under tolerance (包容审慎): True if this is the merchant's first warning."""
        first = not self.warned
        self.warned = True
        return first

    def pay_penalty(self, due: float) -> float:
        """Pay a fine and confiscated gains (万元) to the treasury from the cash it has, never
        going below zero; the violation counts towards exit, and a merchant that cannot pay in
        full is insolvent. Returns the amount left unpaid."""
        m = self.model
        paid = min(due, max(self.cash, 0.0))
        m.ledger.transfer(self.account, m.accounts["treasury"], "penalty", paid)
        self.violations += 1
        self.insolvent = self.insolvent or paid < due
        return due - paid

    @staticmethod
    def close_month(model, merchants: list[DataMerchant], revenue: np.ndarray) -> None:
        """Each merchant records the month's sales revenue (万元, by merchant index), its year's
        turnover (closed in December), and counts the months it has spent with negative cash in a row."""
        broke = model.ledger.balance[[x.account for x in merchants]] < 0
        december = model.calendar_month == 12
        for x, r, b in zip(merchants, revenue[[x.index for x in merchants]].tolist(), broke.tolist()):
            x.sales.append(r)
            x.year_sales += r
            if december:
                x.last_year_sales, x.year_sales = x.year_sales, 0.0
            x.negative_months = x.negative_months + 1 if b else 0
