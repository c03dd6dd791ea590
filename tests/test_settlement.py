"""Settlement (sim.settlement) of hand-made purchases: vouchers, fees, commissions (MODEL §6.8)."""

import numpy as np

from sim.demand import Purchases
from sim.ledger import Ledger
from sim.population import OFF_EXCHANGE, OPERATOR
from sim.settlement import OperatorIncome, settle, voucher_rate


def _purchases(product, via, list_price, paid, free=None, brokered=None, value=None, at_stake=None, recovery=None):
    n = len(product)
    free = np.zeros(n, dtype=bool) if free is None else np.array(free)
    brokered = np.ones(n, dtype=bool) if brokered is None else np.array(brokered)
    z = np.zeros(n)
    value, at_stake, recovery = (z if x is None else np.array(x, dtype=float) for x in (value, at_stake, recovery))
    return Purchases(buyers=np.arange(n), product=np.array(product), via=np.array(via),
                     list_price=np.array(list_price, dtype=float), paid=np.array(paid, dtype=float), free=free,
                     value=value, surplus=z, risk=z, p_loss=z, at_stake=at_stake, recovery=recovery,
                     misreport=np.zeros(n, dtype=bool), rank=np.ones(n, dtype=np.int64), brokered=brokered)


def _settle(buy, n_products, represents, voucher_budget_left, fee_rates, commission_rate, by_operator, lost=None,
            dispute_cost=None):
    lost = np.zeros(buy.n, dtype=bool) if lost is None else np.array(lost)
    dispute_cost = np.zeros(len(fee_rates)) if dispute_cost is None else np.array(dispute_cost, dtype=float)
    return settle(buy, n_products, represents, voucher_budget_left, fee_rates, commission_rate, by_operator, lost,
                  dispute_cost)


def test_sales_vouchers_fees_and_commissions_per_product():
    # product 0 sold on exchange 0 with a 20 % voucher; product 1 sold bilaterally; product 2 a free public use
    buy = _purchases([0, 1, 2], [0, OFF_EXCHANGE, OPERATOR], [10, 5, 3], [8, 5, 0], free=[False, False, True])
    s = _settle(buy, 3, represents=2.0, voucher_budget_left=100.0, fee_rates=np.array([0.1]), commission_rate=0.2,
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
    s = _settle(buy, 2, represents=1.0, voucher_budget_left=0.0, fee_rates=np.array([]), commission_rate=0.1,
               by_operator=np.array([False, False]))
    np.testing.assert_allclose(s.commissions, [0, 0.5])


def test_vouchers_stop_at_the_budget_and_buyers_pay_the_rest():
    buy = _purchases([0, 0], [0, 0], [10, 10], [5, 5])
    s = _settle(buy, 1, represents=1.0, voucher_budget_left=4.0, fee_rates=np.array([0.0]), commission_rate=None,
               by_operator=np.array([False]))
    assert s.voucher_spend == 4.0 and s.commissions is None
    np.testing.assert_allclose(s.sales + s.vouchers, s.gross)
    assert voucher_rate(0.5, budget=10.0, spent=10.0) == 0.0 and voucher_rate(0.5, budget=10.0, spent=9.0) == 0.5


def test_posting_moves_exactly_the_settled_money():
    ledger = Ledger()
    users, treasury, exchange, brokers, seller = (ledger.open(n) for n in ("users", "treasury", "x", "b", "seller"))
    buy = _purchases([0], [0], [10], [6])
    s = _settle(buy, 1, 1.0, 100.0, np.array([0.1]), 0.2, np.array([False]))
    s.post(ledger, np.array([seller]), users, treasury, [exchange], brokers, ledger.open("economy"))
    by_kind, imbalance = ledger.close_month()
    assert by_kind["sale"] == 6 and by_kind["voucher"] == 4 and by_kind["exchange_fee"] == 1
    assert by_kind["broker_commission"] == 0  # on-exchange sale: no commission
    assert ledger.balance[seller] == 9 and imbalance == 0


def test_a_loss_on_an_exchange_is_partly_recovered_from_the_seller_and_the_exchange_pays_the_dispute():
    # deal 0 on exchange 0 goes wrong: 4 at stake per agent × 2 = 8 lost, 3/4 recovered = 6, one dispute
    # per agent (2 disputes) at 0.5 each; deal 1 off-exchange goes wrong: 2 × 2 = 4 lost, nothing recovered;
    # deal 2 on the exchange goes well.
    buy = _purchases([0, 1, 0], [0, OFF_EXCHANGE, 0], [10, 5, 10], [10, 5, 10], value=[20, 10, 20],
                     at_stake=[4, 2, 4], recovery=[0.75, 0.0, 0.75])
    s = _settle(buy, 2, 2.0, 0.0, np.array([0.0]), None, np.array([False, False]), lost=[True, True, False],
                dispute_cost=[0.5])
    np.testing.assert_allclose(s.loss_tx, [8, 4, 0])
    np.testing.assert_allclose(s.recovered_tx, [6, 0, 0])
    np.testing.assert_allclose(s.recoveries, [6, 0])
    np.testing.assert_allclose(s.dispute_costs, [1.0])
    ledger = Ledger()
    users, treasury, exchange, brokers, economy, seller0, seller1 = (
        ledger.open(n) for n in ("users", "treasury", "x", "b", "economy", "s0", "s1"))
    s.post(ledger, np.array([seller0, seller1]), users, treasury, [exchange], brokers, economy)
    by_kind, imbalance = ledger.close_month()
    assert by_kind["dispute_recovery"] == 6 and by_kind["dispute_cost"] == 1 and imbalance == 0
    assert ledger.balance[seller0] == 40 - 6 and ledger.balance[exchange] == -1 and ledger.balance[economy] == 1


def test_operator_incomes_add_up():
    a = OperatorIncome(paid_uses=1, free_uses=2, licences=3, shares=dict(operator=1, data_providers=2,
                                                                       public_services=3, contributors=4))
    total = OperatorIncome() + a + a
    assert total.paid_uses == 2 and total.licences == 6 and total.revenue == 20
