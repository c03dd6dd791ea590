"""Labels and units from the metric declarations, in English and Chinese, with a font fallback."""

from __future__ import annotations

import matplotlib as mpl
import pytest

from analysis import fan, labels
from sim.metrics import METRICS, NAMES


def test_every_metric_and_unit_has_a_chinese_label():
    assert set(labels.ZH_NAMES) == set(NAMES)
    assert set(labels.EN_NAMES) == set(NAMES)  # and a name in plain English words
    assert {m.unit for m in METRICS} <= set(labels.ZH_UNITS)


def test_labels_carry_units_and_the_period_of_flows():
    assert labels.metric_label("gmv_total", per="month") == "Trade value (10⁴ CNY per month)"
    assert labels.metric_label("price_index", per="year") == "Mean price (10⁴ CNY/use)"  # a mean, not a flow
    assert labels.metric_label("gmv_total", "zh", per="year") == "交易总额 (万元/年)"
    assert labels.metric_label("n_merchants", "zh") == "数据商数量 (家)"
    assert labels.describe("exchange_share") == "On-exchange share of trade value"
    with pytest.raises(ValueError, match="unknown metric 'gdp'"):
        labels.metric_label("gdp", "zh")
    with pytest.raises(ValueError, match="lang must be one of en, zh"):
        labels.resolve("fr")


def test_chinese_labels_use_the_cjk_font(metrics, monkeypatch):
    monkeypatch.setattr(labels, "cjk_font", lambda: "Test CJK")
    monkeypatch.setitem(mpl.rcParams, "font.family", ["sans-serif"])
    ax = fan(metrics, "gmv_total", lang="zh")
    assert ax.get_ylabel() == "交易总额 (万元/月)" and ax.get_xlabel() == "月份"
    assert mpl.rcParams["font.family"] == ["sans-serif", "Test CJK"]


def test_chinese_without_a_cjk_font_warns_and_falls_back_to_english(metrics, monkeypatch):
    monkeypatch.setattr(labels, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="no CJK font installed"):
        ax = fan(metrics, "gmv_total", lang="zh")
    assert ax.get_ylabel() == "Trade value (10⁴ CNY per month)" and ax.get_xlabel() == "Month"


def test_english_titles_drop_chinese_glosses_only_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(labels, "cjk_font", lambda: None)
    assert labels.describe("revenue_public_services") == "Share to the public-service fund"
    monkeypatch.setattr(labels, "cjk_font", lambda: "Test CJK")
    assert labels.describe("revenue_public_services") == "Share to the public-service fund (反哺公共服务)"
    assert labels.describe("revenue_public_services", "zh") == "反哺公共服务"


def test_parameters_are_named_in_words_with_their_schema_unit_in_both_languages():
    assert labels.parameter_label("policy.vouchers.rate") == "Vouchers rate (share)"
    assert labels.parameter_label("exchanges.regional_exchange.fee_rate") == "Regional exchange fee rate (share)"
    assert labels.parameter_label("policy.vouchers.budget") == "Vouchers budget (10⁴ CNY)"
    assert labels.parameter_label("policy.vouchers.rate", "zh") == "数据券补贴比例 (占比)"
    assert labels.parameter_name("exchanges.pilot_platform.fee_rate", "zh") == "交易服务费率 pilot_platform"
    assert labels.parameter_name("behaviour.need_rate", "zh") == "Need rate"  # an uncertainty: no Chinese name yet
    assert labels.parameter_name("not.a.parameter") == "not.a.parameter"
