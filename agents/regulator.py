"""Regulator (监管部门; plan 六.2): audits, penalties with tolerance for first minor violations
(包容审慎), incidents and alerts (MODEL §6.7)."""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.population import trust_column


@dataclass(frozen=True)
class Audit:
    """The month's audits: merchants audited, non-compliant products found, fines (万元)."""

    audits: float
    violations_detected: float
    penalties: float


class Regulator(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.active = False
        self.alert_until = -1

    @property
    def params(self):
        return self.model.params.regulator

    def start(self) -> None:
        """The compliance and supervision regime begins (plan 一.(二) 2024 目标)."""
        self.active = True

    def audit_rate(self) -> float:
        rate = self.params.audit_rate
        if self.model.month_index <= self.alert_until:
            rate *= self.params.alert_multiplier
        return min(1.0, rate)

    def audit(self) -> Audit:
        """Audit a share of active merchants; penalise (or warn) detected non-compliant products."""
        m = self.model
        out = {"audits": 0.0, "violations_detected": 0.0, "penalties": 0.0}
        if not self.active or not m.merchants:
            return Audit(**out)
        rng = m.streams["supervision"]
        merchants = list(m.merchants)
        rate = self.audit_rate()
        audited = [x for x, u in zip(merchants, rng.random(len(merchants))) if u < rate]
        out["audits"] = float(len(audited))
        products = m.products
        par = self.params
        noncompliant = np.flatnonzero(products.merchant_owned() & ~products.view("compliant"))
        owner = products.owner[noncompliant]
        for merchant in audited:
            bad = noncompliant[owner == merchant.index]  # an audit changes only its own merchant's products
            found = bad[rng.random(bad.size) < par.detection_prob]
            for product in found:
                out["violations_detected"] += 1
                if par.tolerance_first_minor and merchant.warn():
                    products.restore_compliance(product, m.params.behaviour.illicit_quality_bonus)
                    continue
                fine = max(par.penalty_floor, par.penalty_multiple * products.revenue[product])
                merchant.pay_penalty(fine)
                out["penalties"] += fine
                products.deactivate(product)
        return Audit(**out)

    def incidents(self) -> int:
        """Each active non-compliant product may leak; an incident cuts trust in its channel
        city-wide and puts the regulator on alert (plan 六.2 风险预警和应急处置)."""
        m = self.model
        products = m.products
        bad = np.flatnonzero(products.view("active") & ~products.view("compliant"))
        b = m.params.behaviour
        important = m.domains.touches_important(products.domain_a[bad], products.domain_b[bad])
        chance = b.incident_prob * np.where(important, b.important_incident_multiplier, 1.0)
        hit = bad[m.streams["incidents"].random(bad.size) < chance]
        if hit.size:
            shock = 1 - self.params.incident_trust_shock
            for column in np.unique(trust_column(products.channel[hit])):
                n_hits = int(np.sum(trust_column(products.channel[hit]) == column))
                m.users.shock_trust(column, shock**n_hits)
            self.alert_until = m.month_index + self.params.alert_months
        return int(hit.size)
