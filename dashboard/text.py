"""The words of the dashboard in English and Chinese: control labels, section titles and the
page's own words. Metric names and units come from :mod:`analysis.labels` (one place for them).

A lever's English label is its field name; its caption is the schema's description, unit,
allowed range and plan clause (:mod:`dashboard.levers`). Chinese labels are keyed by the lever's
generic path (``exchanges.<id>.fee_rate``); a test checks every lever of every shipped scenario
has one.
"""

from __future__ import annotations

from analysis.labels import LANGS, ZH_NAMES

__all__ = ["LANGS", "lever_label", "section_label", "word", "metric_name"]

ZH_LEVERS = {
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
SECTIONS = {  # generic section path: (English, Chinese)
    "domains.<id>": ("public-data domain", "公共数据领域"),
    "operators.<id>": ("public-data operator", "公共数据运营机构"),
    "exchanges.<id>": ("exchange", "数据交易机构"),
    "regulator": ("supervision", "市场监管"),
    "policy.pricing": ("pricing of paid public data", "公共数据有偿使用定价"),
    "policy.free_use": ("free use", "有条件无偿使用"),
    "policy.screening": ("screening of free-use claims", "公益用途审核"),
    "policy.revenue_sharing": ("revenue sharing", "收益分配"),
    "policy.public_service_fund": ("public-service fund", "公共服务反哺资金"),
    "policy.fiscal": ("fiscal support", "财政资金"),
    "policy.cultivation": ("merchant cultivation", "数据商培育"),
    "policy.data_assets": ("data assets", "数据资产"),
    "policy.brokers": ("data brokers", "数据经纪"),
    "policy.vouchers": ("data vouchers", "数据券"),
    "policy.listing": ("listing", "挂牌"),
    "policy.operator_security": ("operator security (Jinan art. 39)", "运营机构安全监管"),
    "policy.registry": ("registration with trading (Jinan art. 40)", "登记交易一体化"),
    "policy.credit": ("trading credit system (Shijiazhuang art. 46)", "交易信用体系"),
    "policy.rights": ("rights in public-data products (Wuxi art. 41)", "公共数据产品权益"),
    "timeline": ("dates of authorizations and exchange openings", "授权运营与交易机构开业时间"),
}
WORDS = {
    "title": ("Data-element market dashboard", "数据要素市场仪表盘"),
    "compare": ("Compare", "对比"),
    "watch": ("Watch the month", "逐月观察"),
    "levers": ("Levers", "政策杠杆"),
    "baseline": ("baseline", "基准"),
    "edited": ("edited", "调整后"),
    "seeds": ("seeds", "随机种子数"),
    "run": ("Run", "运行"),
    "cancel": ("Cancel", "取消"),
    "reset": ("Reset levers", "恢复默认"),
    "runs": ("{} of {} runs", "{} / {} 次模拟"),
    "state": ({"running": "running", "cancelling": "cancelling…", "cancelled": "cancelled", "failed": "failed",
               "finished": "finished"},
              {"running": "运行中", "cancelling": "正在取消…", "cancelled": "已取消", "failed": "失败",
               "finished": "已完成"}),
    "drawn": ("mean and 5th–95th percentile across seeds; bottom: edited − baseline, seed by seed ({} runs drawn)",
              "均值及第 5 至第 95 百分位；下行：调整后 − 基准，按随机种子配对（已绘制 {} 次模拟）"),
    "changed": ("changed from the baseline", "相对基准的改动"),
    "unchanged": ("No lever changed yet: the edited scenario is the baseline.", "尚未调整：调整后的情景与基准相同。"),
    "save_to": ("save as (a .yaml path)", "另存为（.yaml 路径）"),
    "save": ("Save", "保存"),
    "saved": ("saved {}", "已保存 {}"),
    "download": ("Download YAML", "下载 YAML"),
    "allowed": ("allowed", "允许"),
    "clause": ("clause", "条款"),
    "unit": ("unit", "单位"),
    "month_of": ("{}: {}", "{}：{}"),
    "authorize": ("authorize", "授权运营"),
    "open_exchange": ("open exchange", "交易机构开业"),
    "press_run": ("Press Run to run both scenarios on the same seeds.", "点击“运行”，在相同随机种子上运行两个情景。"),
    "watch_intro": ("The edited scenario with one seed, one step per month.", "调整后的情景，单个随机种子，每步一个月。"),
}


def word(key: str, lang: str) -> str | dict:
    """A word of the page in ``lang``."""
    en, zh = WORDS[key]
    return zh if lang == "zh" else en


def lever_label(generic: str, lang: str) -> str:
    """A control's label: the Chinese name, or the field name in English."""
    if lang == "zh":
        return ZH_LEVERS[generic]
    return generic.rsplit(".", 1)[1].replace("_", " ").capitalize()


def section_label(path: str, generic: str, lang: str) -> str:
    """A group's title, e.g. "exchange pilot_platform" or "数据交易机构 pilot_platform"."""
    en, zh = SECTIONS[generic]
    title = zh if lang == "zh" else en.capitalize()
    return f"{title} {path.split('.')[1]}" if generic.endswith(".<id>") else title


def metric_name(metric: str, lang: str) -> str:
    """A metric's short name: its Chinese name, or its column name."""
    return ZH_NAMES[metric] if lang == "zh" else metric
