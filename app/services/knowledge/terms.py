"""The Chinese names of the catalogue's parameters and the rule families, as the national
accounting guideline and the regulator's platform call them, so that a question in Chinese
meets the words of an English rule (keyword side) as well as its meaning (vector side)."""

import re

import numpy as np
import pandas as pd

PARAMETER_NAMES_ZH: dict[str, str] = {
    "coal_consumption_t": "燃煤消耗量 耗煤量",
    "coal_ncv_gj_t": "低位发热量 热值",
    "coal_carbon_pct": "元素碳含量 收到基碳含量",
    "oxidation_rate": "碳氧化率",
    "purchased_electricity_mwh": "购入电量 外购电力",
    "power_generation_mwh": "发电量",
    "power_supply_mwh": "供电量",
    "heat_supply_gj": "供热量",
    "operating_hours": "运行小时数",
    "reported_co2_t": "报告排放量 二氧化碳排放量",
    "cems_co2_t": "在线监测排放量 CEMS",
    "grid_sales_mwh": "上网电量 电网售电",
    "coal_purchase_t": "购煤量 燃煤购入量",
    "energy_monitor_tce": "能耗在线监测 标准煤",
    "report_carbon_pct": "检测报告碳含量",
    "report_ncv_gj_t": "检测报告低位发热量",
    "fuel_heat_gj": "燃料热量",
    "combustion_co2_t": "化石燃料燃烧排放量",
    "electricity_co2_t": "购入电力排放量",
    "total_co2_t": "总排放量",
    "heat_share": "供热比",
    "supply_coal_gce_kwh": "供电煤耗",
    "supply_intensity": "供电碳排放强度",
    "own_use_rate": "厂用电率",
    "load_factor": "负荷率",
    "carbon_per_heat": "单位热值含碳量",
}

FAMILY_NAMES_ZH: dict[str, str] = {
    "extreme_value": "极值规则",
    "standard_value": "标准值规则",
    "threshold": "阈值规则",
    "logic": "逻辑规则",
}


def parameter_name_zh(name: str) -> str:
    return PARAMETER_NAMES_ZH.get(name, "")


# Words of the accounting rules and the platform, English as the rules and docs spell them, with
# the Chinese a question uses for them (the national guideline's and the platform's wording).
CONCEPTS_ZH: dict[str, str] = {
    "default": "缺省值 默认值",
    "no test report": "没有检测报告 无检测报告",
    "month": "月度 当月",
    "recomputation": "重新计算 按公式重算",
    "formula": "计算公式 怎么计算",
    "parameter": "参数",
    "rule": "规则",
    "capacity": "装机容量",
    "operating hours": "运行小时数",
    "generation": "发电量",
    "net supply": "供电量",
    "boiler": "锅炉",
    "supply coal rate": "供电煤耗",
    "gce/kwh": "克标准煤每千瓦时",
    "consultancy": "咨询机构",
    "tip-off": "举报",
    "apart": "相差 差异",
    "calculation": "核算 计算",
    "calculated": "核算 计算",
    "measured": "实测",
    "test report": "检测报告 化验报告",
    "report": "报告",
    "lab": "检测机构 实验室",
    "verifier": "核查机构",
    "verification": "核查",
    "carbon content": "碳含量 含碳量",
    "carbon per heat": "单位热值含碳量",
    "carbon per unit of heat": "单位热值含碳量",
    "ncv": "低位发热量",
    "heating value": "发热量 热值",
    "within 40 days": "40天内 四十天内 出具期限",
    "days after the month's end": "月末后 天内 期限",
    "month's end": "月末",
    "submitted": "提交 报送",
    "submission": "提交 报送",
    "deadline": "截止 期限",
    "sample": "采样 煤样",
    "copied": "复制 抄袭 造假",
    "identical three months in a row": "连续三个月相同 数据造假",
    "negative": "负值",
    "emission factor": "排放因子",
    "grid": "电网",
    "allocation": "配额分配",
    "allowance": "配额",
    "benchmark": "基准值",
    "compliance": "履约 清缴",
    "oxidation": "碳氧化率",
    "accredited": "资质 认可 CMA CNAS",
    "cems": "在线监测",
    "audit return": "退回 审核退回",
    "resubmission": "重新提交",
    "revision": "版本 修订",
    "systemic source": "系统性来源",
    "forged": "伪造 造假",
    "fraud": "造假 弄虚作假",
    "coal": "燃煤 煤炭",
    "electricity": "电力 电量",
    "heat supplied": "供热",
    "emissions": "排放",
    "physical band": "物理范围",
    "outside": "超出",
    "finding": "疑点 异常",
    "flagged": "标记 疑点 异常",
    "unit": "机组",
    "enterprise": "企业 重点排放单位",
    "province": "省",
    "city": "市",
}


def concept_terms(text: str) -> str:
    """The Chinese words of the concepts `text` speaks of, space-separated (empty: none)."""
    lowered = text.lower()
    return " ".join(zh for en, zh in CONCEPTS_ZH.items() if en in lowered)


def concept_terms_of(texts: pd.Series) -> pd.Series:
    """concept_terms of every text of a column, one vectorised match per concept (thousands of
    findings)."""
    lowered = texts.str.lower()
    found = np.column_stack([lowered.str.contains(en, regex=False) for en in CONCEPTS_ZH])
    words = found * np.array([f"{zh} " for zh in CONCEPTS_ZH.values()], dtype=object)
    return pd.Series(words.sum(axis=1), index=texts.index, dtype=object).str.rstrip()


RULE_ID = re.compile(r"\b(EXT|STD|THR|LOG)-(\d{3})\b", re.IGNORECASE)


def glued_rule_ids(text: str) -> str:
    """The rule ids in `text` written without their hyphen (`LOG014`), space-separated: one
    token to the analyser, which splits `LOG-014` into `log` and `014`, so an id asked for
    matches its own rule before the others of its family or number."""
    return " ".join(rule_id.replace("-", "") for rule_id in named_rule_ids(text))


def named_rule_ids(text: str) -> list[str]:
    """The rule ids `text` names (`LOG-014`), in order, once each."""
    ids = [f"{family.upper()}-{number}" for family, number in RULE_ID.findall(text)]
    return list(dict.fromkeys(ids))
