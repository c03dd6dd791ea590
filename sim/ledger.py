"""The ledger: every money flow of a run, by payer, payee and kind (MODEL §6.8).

Accounts are integers; balances live in one array, so agents read their cash from here and
money moves only by :meth:`Ledger.transfer`. Flows are aggregated per month. The system is
closed (users, treasury, bank and the outside economy are accounts too), so the balances
always sum to zero; :meth:`Ledger.close_month` reports any departure as the imbalance, and
:func:`books_error` says how large it is against the money that moved (the books check).
"""

from __future__ import annotations

import numpy as np

KINDS = (
    "sale",  # buyer → seller, the buyer's share of the price
    "voucher",  # treasury → seller, the voucher's share of the price
    "exchange_fee",  # seller → exchange
    "broker_commission",  # seller → brokers
    "review_fee",  # seller → exchange, per listing
    "licence",  # merchant → operator, public-data input licence
    "share_data_providers",  # operator → domain governance fund
    "share_public_services",  # operator → public-service fund
    "share_contributors",  # operator → co-developing merchants (or the contributor pool)
    "governance",  # operator / treasury → domain governance fund
    "governance_spend",  # governance fund → economy
    "operating_cost",  # anyone → economy
    "development",  # merchant → economy
    "co_investment",  # merchant → operator
    "capital",  # treasury / investors → operator / merchant
    "entry_subsidy",  # treasury → merchant
    "penalty",  # merchant → treasury
    "loan",  # bank → merchant
    "interest",  # merchant → bank
    "repayment",  # merchant → bank
    "recapitalisation",  # treasury → operator, the shortfall of a payment it could not make
    "fund_reimbursement",  # public-service fund → operator, cost of serving free public-interest uses
    "fund_governance",  # public-service fund → domain governance fund
    "imitation",  # merchant → economy, sales copies of a public-data product take (Wuxi art. 41)
)
KIND = {k: i for i, k in enumerate(KINDS)}
BOOKS_TOLERANCE = 1e-9  # largest books_error that balances: float rounding of a month's sums is ~1e-13 of them


def books_error(imbalance, moved) -> np.ndarray:
    """Each month's imbalance (万元, the ``ledger_imbalance`` metric) relative to the money that
    moved that month (万元, the sum of its flows' absolute amounts): ``|imbalance| / max(1, moved)``.

    Rounding grows with the amounts, so an absolute threshold either fails large cities or hides
    real leaks in small ones; below 1 万元 moved, the error is absolute. A NaN or infinite
    imbalance (or flow) gives ``inf``: it is never hidden. Books balance where the error is at most
    :data:`BOOKS_TOLERANCE`.
    """
    imbalance = np.abs(np.asarray(imbalance, dtype=float))
    moved = np.abs(np.asarray(moved, dtype=float))
    with np.errstate(invalid="ignore", over="ignore"):
        error = imbalance / np.maximum(1.0, moved)
    return np.where(np.isfinite(error), error, np.inf)


class Ledger:
    """Accounts with balances and the month's flows."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.balance = np.zeros(0)
        self._payer: list[np.ndarray] = []
        self._payee: list[np.ndarray] = []
        self._kind: list[np.ndarray] = []
        self._amount: list[np.ndarray] = []
        self._single: list[tuple[int, int, int, float]] = []  # scalar transfers, kept as tuples (fast)
        self.months: list[dict[str, np.ndarray]] = []
        self._named: dict[str, np.ndarray] = {}  # prefix -> mask over accounts, grown as accounts open

    def open(self, name: str) -> int:
        """Open an account and return its number."""
        self.names.append(name)
        if len(self.names) > self.balance.size:
            grown = np.zeros(max(64, 2 * self.balance.size))
            grown[: self.balance.size] = self.balance
            self.balance = grown
        return len(self.names) - 1

    def named(self, prefix: str) -> np.ndarray:
        """Mask over the accounts whose name starts with ``prefix`` (e.g. ``"merchant:"``)."""
        mask = self._named.get(prefix, np.zeros(0, dtype=bool))
        if mask.size < len(self.names):
            mask = np.concatenate([mask, [name.startswith(prefix) for name in self.names[mask.size:]]]).astype(bool)
            self._named[prefix] = mask
        return mask

    def transfer(self, payer, payee, kind: str, amount) -> None:
        """Move ``amount`` (万元) from ``payer`` to ``payee``; each may be a scalar or an array."""
        if isinstance(amount, (int, float)) and type(payer) is int and type(payee) is int:
            if amount == 0:
                return
            if not 0 < amount < float("inf"):
                raise ValueError(f"{kind}: transfers must be finite and non-negative")
            self.balance[payer] -= amount
            self.balance[payee] += amount
            self._single.append((payer, payee, KIND[kind], float(amount)))
            return
        payer = np.asarray(payer, dtype=np.int64).ravel()
        payee = np.asarray(payee, dtype=np.int64).ravel()
        amount = np.asarray(amount, dtype=float).ravel()
        sizes = (payer.size, payee.size, amount.size)
        n = 0 if 0 in sizes else max(sizes)  # a scalar side pays (or is paid) every entry
        payer, payee, amount = (x if x.size == n else np.broadcast_to(x, (n,)) for x in (payer, payee, amount))
        keep = amount != 0
        if not keep.all():
            payer, payee, amount = payer[keep], payee[keep], amount[keep]
        if amount.size == 0:
            return
        if not np.all((amount > 0) & (amount < np.inf)):
            raise ValueError(f"{kind}: transfers must be finite and non-negative")
        np.subtract.at(self.balance, payer, amount)
        np.add.at(self.balance, payee, amount)
        self._payer.append(payer)
        self._payee.append(payee)
        self._kind.append(np.full(amount.size, KIND[kind], dtype=np.int16))
        self._amount.append(amount)

    def close_month(self) -> tuple[dict[str, float], float]:
        """Aggregate the month's flows by (payer, payee, kind) and start a new month.

        Returns the month's total per kind and the imbalance: the sum of all balances, which
        a closed system keeps at zero.
        """
        if self._single:
            single = np.array(self._single)
            self._payer.append(single[:, 0].astype(np.int64))
            self._payee.append(single[:, 1].astype(np.int64))
            self._kind.append(single[:, 2].astype(np.int16))
            self._amount.append(single[:, 3])
            self._single = []
        if self._amount:
            payer, payee = np.concatenate(self._payer), np.concatenate(self._payee)
            kind, amount = np.concatenate(self._kind), np.concatenate(self._amount)
            n_accounts, n_kinds = len(self.names), len(KINDS)
            key = (payer * n_accounts + payee) * n_kinds + kind  # sorts as (payer, payee, kind)
            uniq, inv = np.unique(key, return_inverse=True)
            sums = np.bincount(inv, weights=amount, minlength=len(uniq))
            payer, rest = np.divmod(uniq, n_accounts * n_kinds)
            flows = {"payer": payer, "payee": rest // n_kinds, "kind": rest % n_kinds, "amount": sums}
        else:
            empty = np.zeros(0, dtype=np.int64)
            flows = {"payer": empty, "payee": empty, "kind": empty, "amount": np.zeros(0)}
        self.months.append(flows)
        self._payer, self._payee, self._kind, self._amount = [], [], [], []
        by_kind = np.bincount(flows["kind"], weights=flows["amount"], minlength=len(KINDS))
        return dict(zip(KINDS, by_kind.tolist())), abs(float(self.balance[: len(self.names)].sum()))
