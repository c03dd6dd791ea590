"""Axis text in English or Chinese: metric names in plain words and their units (from
:data:`sim.metrics.METRICS`), parameter names and units (from the scenario schema), short labels
of policy events, common words, and a CJK font for ``lang="zh"``.

English labels write 万元 as "10⁴ CNY" so that they render without a CJK font. ``lang="zh"``
needs one (e.g. Debian's ``fonts-noto-cjk``, :data:`FONT_HINT`); without it figures warn and use
English (the ``plot`` and ``report`` commands refuse instead, unless told to fall back). On
import, an installed CJK font is appended to matplotlib's font families as a fallback.
"""

from __future__ import annotations

import functools
import re
import typing
import warnings
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager
from pydantic import BaseModel

from sim.metrics import METRICS
from sim.summary import STATISTIC

LANGS = ("en", "zh")
METRIC = {m.name: m for m in METRICS}

EN_NAMES = {
    "gmv_total": "Trade value",
    "gmv_exchange": "On-exchange trade value",
    "gmv_off_exchange": "Off-exchange trade value",
    "exchange_share": "On-exchange share of trade",
    "n_transactions": "Transactions",
    "n_active_buyers": "Active buyers",
    "n_merchants": "Data merchants",
    "n_products": "Data products",
    "n_listed": "Listed products",
    "price_index": "Mean price",
    "public_data_price": "Public-data price per use",
    "merchant_price_index": "Mean merchant-product price",
    "public_data_free_uses": "Free public-data uses",
    "public_data_paid_uses": "Paid public-data uses",
    "operator_revenue": "Operator revenue",
    "revenue_operator": "Revenue kept by the operator",
    "revenue_data_providers": "Revenue to data providers",
    "revenue_public_services": "Revenue to public services",
    "revenue_contributors": "Revenue to contributing merchants",
    "operator_allowed_revenue": "Operator allowed revenue",
    "operator_cost": "Operator cost",
    "operator_cash": "Operator cash",
    "recapitalisation": "Operator recapitalisation",
    "n_licensed_products": "Products on licensed data",
    "fund_reimbursement": "Fund reimbursement of free uses",
    "fund_governance": "Fund spend on governance",
    "exchange_fee_revenue": "Exchange fee revenue",
    "value_created": "Value of data used",
    "consumer_surplus": "Buyer surplus",
    "n_buyers": "Buyers",
    "purchases_per_buyer": "Purchases per buyer",
    "perceived_risk": "Perceived risk",
    "realised_losses": "Realised losses",
    "loss_rate": "Loss rate (per unit of value)",
    "value_exchange": "Value of on-exchange deals",
    "realised_losses_exchange": "Realised losses on exchanges",
    "loss_rate_exchange": "Loss rate on exchanges",
    "value_bilateral": "Value of off-exchange deals",
    "realised_losses_bilateral": "Realised losses off exchanges",
    "loss_rate_bilateral": "Loss rate off exchanges",
    "dispute_recoveries": "Losses recovered by dispute resolution",
    "dispute_costs": "Cost of dispute resolution",
    "application_costs": "Buyers' free-use application costs",
    "integration_costs": "Buyers' integration costs",
    "merchant_profit": "Merchant profit",
    "hhi_merchants": "Merchant sales HHI",
    "mean_quality": "Mean public-data quality",
    "audits": "Merchants audited",
    "violations_detected": "Violations detected",
    "n_noncompliant": "Non-compliant products on sale",
    "penalties": "Penalties",
    "incidents": "Security incidents",
    "leakage_value": "Loss to false public-interest claims",
    "voucher_spend": "Data voucher spend",
    "fiscal_spend": "Fiscal spend",
    "fiscal_equity": "Fiscal equity",
    "fiscal_subsidies": "Fiscal subsidies",
    "fiscal_governance": "Fiscal governance funding",
    "fiscal_net": "Net fiscal spend",
    "data_asset_loans": "Data-asset loans",
    "public_service_fund": "Public-service fund balance",
    "merchant_exits": "Merchant exits",
    "ledger_imbalance": "Ledger imbalance",
    "merchant_operating_profit": "Merchant operating profit",
    "merchant_entries": "Merchant entries",
    "entry_attractiveness": "Entry attractiveness",
    "confiscations": "Confiscations",
    "penalties_uncollected": "Uncollected penalties",
    "largest_fine_share": "Largest fine over its cap",
    "exits_insolvency": "Exits unable to pay a penalty",
    "broker_commissions": "Broker commissions",
    "trust_off_exchange": "Trust in off-exchange trade",
    "trust_exchange": "Trust in exchanges",
    "products_created": "Products developed",
    "noncompliant_created": "Non-compliant products developed",
    "noncompliant_created_share": "Non-compliant share of new products",
}
ZH_NAMES = {
    "gmv_total": "交易总额",
    "gmv_exchange": "场内交易额",
    "gmv_off_exchange": "场外交易额",
    "exchange_share": "场内交易占比",
    "n_transactions": "交易次数",
    "n_active_buyers": "活跃买方",
    "n_merchants": "数据商数量",
    "n_products": "数据产品数量",
    "n_listed": "挂牌产品数量",
    "price_index": "平均价格",
    "public_data_price": "公共数据单次价格",
    "merchant_price_index": "数据产品平均价格",
    "public_data_free_uses": "公共数据无偿使用",
    "public_data_paid_uses": "公共数据有偿使用",
    "operator_revenue": "运营机构总收入",
    "revenue_operator": "运营机构留存",
    "revenue_data_providers": "数据提供方分成",
    "revenue_public_services": "反哺公共服务",
    "revenue_contributors": "共建数据商分成",
    "operator_allowed_revenue": "运营机构准许收入",
    "operator_cost": "运营机构成本",
    "operator_cash": "运营机构现金",
    "recapitalisation": "财政注资补亏",
    "n_licensed_products": "使用授权数据的产品",
    "fund_reimbursement": "公共服务基金补偿无偿使用",
    "fund_governance": "公共服务基金治理投入",
    "exchange_fee_revenue": "交易机构服务费",
    "value_created": "数据使用价值",
    "consumer_surplus": "买方剩余",
    "merchant_profit": "数据商利润",
    "hhi_merchants": "数据商销售额赫芬达尔指数",
    "mean_quality": "公共数据平均质量",
    "audits": "抽查数据商",
    "violations_detected": "查处违规产品",
    "n_noncompliant": "不合规在售产品",
    "penalties": "罚款",
    "incidents": "安全事件",
    "leakage_value": "虚报公益用途损失",
    "voucher_spend": "数据券支出",
    "fiscal_spend": "财政支出",
    "fiscal_equity": "财政注资",
    "fiscal_subsidies": "财政补贴",
    "fiscal_governance": "财政治理投入",
    "fiscal_net": "财政净支出",
    "data_asset_loans": "数据资产质押贷款",
    "public_service_fund": "公共服务基金余额",
    "merchant_exits": "退出数据商",
    "ledger_imbalance": "账目不平衡",
    "merchant_operating_profit": "数据商经营利润",
    "merchant_entries": "新进入数据商",
    "entry_attractiveness": "进入吸引力",
    "confiscations": "没收违法所得",
    "penalties_uncollected": "未缴罚没款",
    "largest_fine_share": "最大罚款占法定上限比例",
    "exits_insolvency": "无力缴纳罚款退出",
    "broker_commissions": "数据经纪佣金",
    "trust_off_exchange": "场外交易信任度",
    "trust_exchange": "场内交易信任度",
    "products_created": "新开发产品",
    "noncompliant_created": "新开发不合规产品",
    "noncompliant_created_share": "新开发产品不合规比例",
    "n_buyers": "当月买方",
    "purchases_per_buyer": "每户每月购买次数",
    "perceived_risk": "感知风险",
    "realised_losses": "实际损失",
    "loss_rate": "损失率",
    "value_exchange": "场内交易价值",
    "realised_losses_exchange": "场内实际损失",
    "loss_rate_exchange": "场内损失率",
    "value_bilateral": "场外交易价值",
    "realised_losses_bilateral": "场外实际损失",
    "loss_rate_bilateral": "场外损失率",
    "dispute_recoveries": "纠纷追偿",
    "dispute_costs": "纠纷处理成本",
    "application_costs": "申请成本",
    "integration_costs": "数据集成成本",
}
ZH_PARAMETERS = {  # Chinese names of the levers, by generic path (<id>: a key of a mapping)
    "policy.pricing.carry_limit": "多退少补上限",
    "policy.public_service_fund.spend_rate": "反哺资金月支出比例",
    "policy.public_service_fund.free_use_cover": "公益无偿使用成本补偿比例",
    "domains.<id>.sensitivity": "分类分级",
    "domains.<id>.status": "开放方式",
    "operators.<id>.governance_spend": "数据治理投入",
    "operators.<id>.co_developers": "共建数据商数量",
    "operators.<id>.co_investment": "共建投入",
    "exchanges.<id>.fee_rate": "交易服务费率",
    "exchanges.<id>.dispute_recovery": "纠纷追偿比例",
    "exchanges.<id>.review_stringency": "挂牌审核严格度",
    "regulator.audit_rate": "抽查比例",
    "regulator.penalty_multiple": "罚款倍数",
    "regulator.penalty_floor": "最低罚款",
    "regulator.tolerance_first_minor": "首次轻微违规免罚",
    "regulator.severe_violations": "强制退出的违规次数",
    "regulator.alert_multiplier": "预警期抽查倍数",
    "regulator.alert_months": "预警期月数",
    "policy.pricing.regime": "定价方式",
    "policy.pricing.markup": "成本加成率",
    "policy.pricing.cap": "价格上限",
    "policy.pricing.licence_uses": "月度许可折合使用次数",
    "policy.pricing.initial_price": "初始价格",
    "policy.pricing.allowed_profit_rate": "准许收益率",
    "policy.pricing.max_price_rise": "年度调价上限",
    "policy.free_use.free_for_research": "科研用途无偿使用",
    "policy.free_use.application_delay": "无偿使用审批月数",
    "policy.screening.screening_accuracy": "公益用途审核准确率",
    "policy.revenue_sharing.operator": "运营机构留存比例",
    "policy.revenue_sharing.data_providers": "数据提供方分成比例",
    "policy.revenue_sharing.public_services": "反哺公共服务比例",
    "policy.revenue_sharing.contributors": "共建数据商分成比例",
    "policy.fiscal.governance_budget": "数据治理财政资金",
    "policy.cultivation.effect": "培育数据商的进入效应",
    "policy.cultivation.entry_subsidy": "新进入数据商补贴",
    "policy.data_assets.registration": "数据资产登记",
    "policy.brokers.enabled": "数据经纪服务",
    "policy.vouchers.rate": "数据券补贴比例",
    "policy.vouchers.budget": "数据券总预算",
    "policy.listing.declaration_commitment": "声明和承诺制挂牌",
    "policy.data_assets.certificates": "数据资产凭证",
    "policy.operator_security.enabled": "授权运营安全全链条管理",
    "policy.operator_security.security_spend": "运营机构安全投入",
    "policy.operator_security.security_standard": "安全投入达标要求",
    "policy.operator_security.audit_rate": "运营机构抽查概率",
    "policy.operator_security.audit_fine": "安全不达标罚款",
    "policy.registry.integrated": "登记与交易一体化平台",
    "policy.credit.enabled": "交易信用体系",
    "policy.credit.audit_targeting": "信用分级抽查强度",
    "policy.rights.protection": "公共数据产品权益保护",
}
ZH_UNITS = {
    "万元": "万元",
    "万元/use": "万元/次",
    "share": "占比",
    "uses": "次",
    "users": "户",
    "merchants": "家",
    "products": "个",
    "incidents": "起",
    "0-1": "0–1",
    "×": "倍",
    "uses/user": "次/户",
}
WORDS = {
    "month": ("Month", "月份"),
    "year": ("Year", "年份"),
    "statistic": (STATISTIC, "均值；90 % 区间（第 5 至第 95 百分位）"),
    "difference": ("difference from {}", "相对于 {} 的差值"),
    "runs": ("runs", "次模拟"),
    "mean over runs": ("mean over runs", "多次模拟均值"),
    "share of products": ("cumulative share of products", "产品累计占比"),
    "share of sales": ("cumulative share of sales", "销售额累计占比"),
    "equality": ("equal sales", "完全平均"),
    "rank": ("rank", "排名"),
    "sales": ("product sales (10⁴ CNY)", "产品销售额 (万元)"),
    "units sold": ("product sales (uses)", "产品销售次数 (次)"),
    "first-order": ("first-order S1", "一阶指数 S1"),
    "total-order": ("total-order ST", "总效应指数 ST"),
    "sobol index": ("Sobol index", "Sobol 指数"),
    "operator": ("operator", "运营机构"),
    "data_providers": ("data providers", "数据提供方"),
    "public_services": ("public services", "公共服务"),
    "contributors": ("contributing merchants", "共建数据商"),
    "revenue": ("paid public-data revenue", "公共数据有偿使用收入"),
}
FONT_HINT = "install a CJK font (Debian: apt-get install fonts-noto-cjk)"
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Noto Sans CJK JP", "Droid Sans Fallback",
)
CJK_GLOSS = re.compile(r"\s*\([^)]*[\u3000-\u9fff][^)]*\)")
CJK_FILES = ("notosanscjk", "sourcehansans", "wqy", "msyh", "simhei", "pingfang", "droidsansfallback")


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None. Fonts installed after matplotlib
    built its font cache are found on disk and registered."""
    found = _known_cjk_font()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(key in Path(path).name.lower().replace("-", "") for key in CJK_FILES):
                font_manager.fontManager.addfont(path)
        found = _known_cjk_font()
    return found


def _known_cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in names), None)


def resolve(lang: str) -> str:
    """The language figures will use: ``lang``, or "en" with a warning when "zh" has no font."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    if lang == "zh" and cjk_font() is None:
        warnings.warn("no CJK font installed (e.g. Debian's fonts-noto-cjk): using English labels", stacklevel=3)
        return "en"
    use_cjk_fallback()
    return lang


def use_cjk_fallback() -> None:
    """Append an installed CJK font to matplotlib's font families: Latin text keeps its font and
    Chinese characters (labels, scenario names) fall back to the CJK one. Done on import, and
    again by every figure in case a style has reset the families since."""
    font = cjk_font()
    if font and font not in mpl.rcParams["font.family"]:
        mpl.rcParams["font.family"] = [*mpl.rcParams["font.family"], font]


def word(key: str, lang: str) -> str:
    """A common word of figures in ``lang``."""
    en, zh = WORDS[key]
    return zh if lang == "zh" else en


def _metric(name: str):
    if name not in METRIC:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRIC)}")
    return METRIC[name]


def english_unit(text: str) -> str:
    """A unit as English labels write it: 万元 as 10⁴ CNY."""
    return text.replace("万元", "10⁴ CNY")


def unit(name: str, lang: str = "en", per: str | None = None) -> str:
    """The unit of a metric; ``per`` ("month" or "year") marks flows summed over that period."""
    metric = _metric(name)
    text = ZH_UNITS.get(metric.unit, metric.unit) if lang == "zh" else english_unit(metric.unit)
    if per and metric.year == "sum":
        text += {"month": "/月", "year": "/年"}[per] if lang == "zh" else f" per {per}"
    return text


def metric_name(name: str, lang: str = "en") -> str:
    """The metric in plain words: "Trade value", "交易总额" (a metric not yet named here: its
    column name in words)."""
    _metric(name)
    words = name.replace("_", " ")
    return ZH_NAMES.get(name, words) if lang == "zh" else EN_NAMES.get(name, words[:1].upper() + words[1:])


def metric_label(name: str, lang: str = "en", per: str | None = None) -> str:
    """An axis label: the metric in plain words and its unit, "Trade value (10⁴ CNY per month)"."""
    return f"{metric_name(name, lang)} ({unit(name, lang, per)})"


def parameter_field(path: str):
    """The schema field (pydantic ``FieldInfo``) of a scenario parameter's dotted ``path``, or
    None when the path names none. Keys of mappings (an exchange's id) are stepped over."""
    from sim.scenario import Scenario

    model, parts, i = Scenario, path.split("."), 0
    while i < len(parts):
        info = model.model_fields.get(parts[i])
        if info is None:
            return None
        annotation = info.annotation
        if typing.get_origin(annotation) is dict and _is_model(typing.get_args(annotation)[1]):
            model, i = typing.get_args(annotation)[1], i + 2
        elif _is_model(annotation):
            model, i = annotation, i + 1
        else:
            return info if i == len(parts) - 1 else None
    return None


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def generic_path(path: str) -> str:
    """``path`` with the keys of mappings as ``<id>``: "exchanges.<id>.fee_rate"."""
    parts = path.split(".")
    for root in ("domains", "operators", "exchanges"):
        if len(parts) > 2 and parts[0] == root:
            return ".".join([root, "<id>", *parts[2:]])
    return path


def parameter_name(path: str, lang: str = "en") -> str:
    """A parameter in words, from its last path segments: "policy.vouchers.rate" → "Vouchers rate",
    "exchanges.pilot_platform.fee_rate" → "Pilot platform fee rate", "behaviour.need_rate" →
    "Need rate"; in Chinese the lever's name ("数据券补贴比例", the exchange's key after it), else
    the English words. A column that is no parameter keeps its name."""
    parts = path.split(".")
    if parameter_field(path) is None:
        return path
    zh = ZH_PARAMETERS.get(generic_path(path)) if lang == "zh" else None
    if zh:
        return f"{zh} {parts[1]}" if generic_path(path) != path else zh
    words = " ".join(parts[-2:] if len(parts) > 2 else parts[-1:]).replace("_", " ")
    return words[:1].upper() + words[1:]


def parameter_label(path: str, lang: str = "en") -> str:
    """An axis label for a parameter: its name in words and its unit from the schema,
    "Vouchers rate (share)"; the dotted path is left to the figure's notes."""
    info = parameter_field(path)
    text = (info.json_schema_extra or {}).get("unit", "-") if info is not None else "-"
    text = ZH_UNITS.get(text, text) if lang == "zh" else english_unit(text)
    return parameter_name(path, lang) + (f" ({text})" if text not in ("-", "") else "")


def event_label(event_id: str | None, action: str) -> str:
    """A short label of a timeline event: its id in words ("open regional exchange"), or its action."""
    return (event_id or action).replace("_", " ")


def describe(name: str, lang: str = "en") -> str:
    """A one-line title: the metric's description (its Chinese name for "zh"). Without a CJK
    font, Chinese glosses in parentheses, such as "(反哺公共服务)", are left out."""
    text = _metric(name).description
    if lang == "zh":
        return ZH_NAMES[name]
    if cjk_font() is None:
        text = CJK_GLOSS.sub("", text)
    return text[:1].upper() + text[1:]


use_cjk_fallback()
