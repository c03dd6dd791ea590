"""The words of the dashboard in English and Chinese: control labels, section titles and the
page's own words. Metric names and units come from :mod:`analysis.labels` (one place for them).

A lever's English label is its field name; its caption is the schema's description, unit,
allowed range and plan clause (:mod:`dashboard.levers`). Chinese labels are keyed by the lever's
generic path (``exchanges.<id>.fee_rate``); a test checks every lever of every shipped scenario
has one.
"""

from __future__ import annotations

from analysis.labels import LANGS, ZH_NAMES
from analysis.labels import ZH_PARAMETERS as ZH_LEVERS

__all__ = ["LANGS", "lever_label", "section_label", "word", "metric_name"]

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
