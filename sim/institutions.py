"""Market institutions other cities' regulations name (MODEL §6.9): the pure economics of each.

- operator security (Jinan art. 39): the chance the public-data operator causes an incident;
- the trading credit system (Shijiazhuang art. 46 信用体系): merchants' reputation, the
  perceived-risk factor buyers apply to a seller and the weights of risk-based audits;
- rights protection for products built on public data (Wuxi art. 41): the share of such a
  product's sales copies take.

Plain functions on arrays; no Mesa here. The agents call them (``agents.operator``,
``agents.regulator``, ``agents.merchant``).
"""

from __future__ import annotations

import numpy as np

USES_UNIT = 10_000.0  # the operator's hazard is stated per 10⁴ uses served


def operator_incident_chance(uses: float, hazard: float, spend: float, half: float) -> float:
    """Chance the operator causes a security incident this month: ``1 − exp(−h · uses/10⁴ /
    (1 + spend/half))``. It rises with the uses it serves and falls with its security spending.

    Args:
        uses: uses served this month (paid, free and licence use-equivalents), city scale.
        hazard: incidents per 10⁴ uses served at no security spending.
        spend: security spending this month, 万元.
        half: spending that halves the hazard, 万元/month (> 0).
    """
    rate = hazard * max(uses, 0.0) / USES_UNIT / (1 + max(spend, 0.0) / half)
    return float(1 - np.exp(-rate))


def reputation(violations: np.ndarray, sales: np.ndarray, track_record_sales: float,
               violation_weight: float) -> np.ndarray:
    """Credit-system reputation of each merchant: its track record less its violations,
    ``ρ = min(1, sales / track_record_sales) − violation_weight · violations``. A newcomer has
    ρ = 0; a clean seller with a full record ρ = 1; each violation found costs ``violation_weight``.

    Args:
        violations: violations the regulator has found, per merchant (warned ones included).
        sales: cumulative sales revenue, 万元, per merchant.
        track_record_sales: sales giving a full track record, 万元 (> 0).
        violation_weight: reputation lost per violation found.
    """
    track = np.minimum(1.0, np.maximum(np.asarray(sales, dtype=float), 0.0) / track_record_sales)
    return track - violation_weight * np.asarray(violations, dtype=float)


def risk_factor(rho: np.ndarray, sensitivity: float) -> np.ndarray:
    """Multiplier of buyers' perceived risk of a seller's products: ``exp(−sensitivity · ρ)`` (1 for
    a newcomer, below 1 for a good record, above 1 after violations)."""
    return np.exp(-sensitivity * np.asarray(rho, dtype=float))


def audit_chances(rate: float, rho: np.ndarray, targeting: float) -> np.ndarray:
    """Risk-based audits: each merchant's chance of an audit, weighted by ``exp(−targeting · ρ)``
    and normalised so the mean chance stays ``rate`` (the same audit effort, aimed at low
    reputations), at most 1.

    Args:
        rate: the month's audit rate, share of merchants.
        rho: reputation of each merchant (:func:`reputation`).
        targeting: how strongly audits aim at low reputations (0: uniform).
    """
    rho = np.asarray(rho, dtype=float)
    if rho.size == 0:
        return rho
    weight = np.exp(-targeting * (rho - rho.max()))  # shifted for range; the normalisation removes it
    return np.minimum(1.0, rate * weight / weight.mean())


def imitation_take(imitation_share: float, protected: bool, protection_effect: float) -> float:
    """Share of a public-data product's sales copies take: ``imitation_share``, cut by
    ``protection_effect`` when products built on public data are protected (Wuxi art. 41)."""
    return imitation_share * (1 - protection_effect if protected else 1.0)
