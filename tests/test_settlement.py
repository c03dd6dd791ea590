"""Settlement (sim.settlement) of hand-made purchases: vouchers, fees, commissions (MODEL §6.8)."""

import numpy as np

from sim.demand import Purchases
from sim.ledger import Ledger
from sim.population import OFF_EXCHANGE, OPERATOR
from sim.settlement import OperatorIncome, settle, voucher_rate


def _purchases(product, via, list_price, paid, free=None, brokered=None):
    n = len(product)
    free = np.zeros(n, dtype=bool) if free is None else np.array(free)
    brokered = np.ones(n, dtype=bool) if brokered is None else np.array(brokered)
    z = np.zeros(n)
    return Purchases(buyers=np.arange(n), product=np.array(product), via=np.array(via),
                     list_price=np.array(list_price, dtype=float), paid=np.array(paid, dtype=float), free=free,
                     value=z, surplus=z, misreport=np.zeros(n, dtype=bool), brokered=brokered)


def test_sales_vouchers_fees_and_commissions_per_product():
    # product 0 sold on exchange 0 with a 20 % voucher; product 1 sold bilaterally; product 2 a free public use
    buy = _purchases([0, 1, 2], [0, OFF_EXCHANGE, OPERATOR], [10, 5, 3], [8, 5, 0], free=[False, False, True])
    s = settle(buy, 3, represents=2.0, voucher_budget_left=100.0, fee_rates=np.array([0.1]), commission_rate=0.2,
               by_operator=np.array([False, False, True]))
    np.testing.assert_allclose(s.gross, [20, 10, 0])
    np.testing.assert_allclose(s.sales, [16, 10, 0])
    np.testing.assert_allclose(s.vouchers, [4, 0, 0])
    np.testing.assert_allclose(s.fees[0], [2, 0, 0])
    np.testing.assert_allclose(s.commissions, [0, 2, 0])
    np.testing.assert_allclose(s.units, [2, 2, 2])
    np.testing.assert_allclose(s.units_on_exchange, [2, 0, 0])
    assert s.voucher_spend == 4.0


def test_commission_only_on_the_deals_brokers_found():
    # products 0 and 1 both sold bilaterally; only the sale of product 1 came from a broker's candidate
    buy = _purchases([0, 1, 1], [OFF_EXCHANGE] * 3, [10, 5, 5], [10, 5, 5], brokered=[False, True, False])
    s = settle(buy, 2, represents=1.0, voucher_budget_left=0.0, fee_rates=np.array([]), commission_rate=0.1,
               by_operator=np.array([False, False]))
    np.testing.assert_allclose(s.commissions, [0, 0.5])


def test_vouchers_stop_at_the_budget_and_buyers_pay_the_rest():
    buy = _purchases([0, 0], [0, 0], [10, 10], [5, 5])
    s = settle(buy, 1, represents=1.0, voucher_budget_left=4.0, fee_rates=np.array([0.0]), commission_rate=None,
               by_operator=np.array([False]))
    assert s.voucher_spend == 4.0 and s.commissions is None
    np.testing.assert_allclose(s.sales + s.vouchers, s.gross)
    assert voucher_rate(0.5, budget=10.0, spent=10.0) == 0.0 and voucher_rate(0.5, budget=10.0, spent=9.0) == 0.5


def test_posting_moves_exactly_the_settled_money():
    ledger = Ledger()
    users, treasury, exchange, brokers, seller = (ledger.open(n) for n in ("users", "treasury", "x", "b", "seller"))
    buy = _purchases([0], [0], [10], [6])
    s = settle(buy, 1, 1.0, 100.0, np.array([0.1]), 0.2, np.array([False]))
    s.post(ledger, np.array([seller]), users, treasury, [exchange], brokers)
    by_kind, imbalance = ledger.close_month()
    assert by_kind["sale"] == 6 and by_kind["voucher"] == 4 and by_kind["exchange_fee"] == 1
    assert by_kind["broker_commission"] == 0  # on-exchange sale: no commission
    assert ledger.balance[seller] == 9 and imbalance == 0


def test_operator_incomes_add_up():
    a = OperatorIncome(paid_uses=1, free_uses=2, licences=3, shares=dict(operator=1, data_providers=2,
                                                                       public_services=3, contributors=4))
    total = OperatorIncome() + a + a
    assert total.paid_uses == 2 and total.licences == 6 and total.revenue == 20
