"""Model cards of the demo baselines (fields as in DEVELOPING.md)."""

from __future__ import annotations

from typing import Any

from sandbox.demo.people import DEMO_VENDORS

__all__ = ["model_card"]

_USCC = {v["name"]: v["uscc"] for v in DEMO_VENDORS}

_CONTACTS = {
    "智联政务科技有限公司": {"name": "张伟", "phone": "0571-88001234", "email": "compliance@zhilian-gov.example.cn"},
    "数安城市科技有限公司": {"name": "黄磊", "phone": "0571-86005678", "email": "ai-ethics@shuan-city.example.cn"},
}

_TEXT: dict[str, dict[str, Any]] = {
    "social_assistance": {
        "intended_use": "对申请最低生活保障、特困供养等社会救助的家庭进行经济状况初筛，辅助街道/镇经办人员确定入户核查对象。",
        "out_of_scope_uses": ["直接作出不予救助的决定", "用于救助以外的信用评价", "对未提出申请的居民进行画像"],
        "automated_decision": True,
        "human_in_the_loop": True,
        "training_data": "2021—2025 年临安区社会救助申请与历史审批结果（合成演示数据，标签为历史审批决定）。",
        "personal_information_sources": ["民政救助申请表", "公积金与社保缴纳记录", "不动产与车辆登记", "残联残疾人证信息"],
        "known_limitations": ["历史审批结果可能包含对高龄农村申请人的系统性偏差", "家庭收入为申报值，存在漏报", "未覆盖外来人口"],
        "risk_tier": "III",
    },
    "pension": {
        "intended_use": "基于就医、社保卡、移动支付等行为数据，对养老金领取资格进行“无感”认证；未通过者转线下人工认证。",
        "out_of_scope_uses": ["直接停发养老金", "用于商业营销", "推断健康状况"],
        "automated_decision": True,
        "human_in_the_loop": True,
        "training_data": "2022—2025 年养老待遇资格认证记录（合成演示数据，标签为历史认证结果）。",
        "personal_information_sources": ["社保参保与待遇发放记录", "医保就医结算记录", "社保卡用卡记录", "第三方支付活跃度（经授权）"],
        "known_limitations": ["行为数据对不使用智能手机的高龄老人覆盖不足", "农村地区就医与支付记录稀疏", "历史认证结果存在对高龄农村人员的偏差"],
        "risk_tier": "III",
    },
    "hotline": {
        "intended_use": "根据 12345 热线工单文本自动推荐承办部门，由话务员确认后派单。",
        "out_of_scope_uses": ["自动办结工单", "对来电人进行信用或风险评价", "识别来电人身份"],
        "automated_decision": False,
        "human_in_the_loop": True,
        "training_data": "2023—2025 年 12345 热线历史工单及其派单记录（合成演示数据，标签为历史派单部门）。",
        "personal_information_sources": ["热线工单文本（含来电人姓名、电话、住址、身份证号）", "来电渠道"],
        "known_limitations": ["方言来电经话务员转述后信息丢失", "历史派单中农村高龄来电多被默认派往属地镇街", "工单文本含个人信息，训练前未完全去标识化"],
        "risk_tier": "II",
    },
    "risk_warning": {
        "intended_use": "对网格内居民的矛盾纠纷、独居意外等风险进行预警评分，提示网格员优先走访。",
        "out_of_scope_uses": ["作为执法或处罚依据", "限制居民出行或享受公共服务", "对外公开风险名单"],
        "automated_decision": True,
        "human_in_the_loop": True,
        "training_data": "2022—2025 年基层治理网格事件记录（合成演示数据，标签为历史登记的风险事件）。",
        "personal_information_sources": ["网格员走访记录", "矛盾纠纷调解登记", "水电燃气异常信息", "欠费记录"],
        "known_limitations": ["历史事件登记对农村高龄居民存在过度登记", "走访次数受网格员配置影响", "预警阈值未按地区校准"],
        "risk_tier": "III",
    },
}


def model_card(meta: dict[str, Any], *, input_features: list[str]) -> dict[str, Any]:
    """The model card of a scenario's baseline model.

    Parameters
    ----------
    meta : dict
        Entry of :data:`sandbox.demo.scenarios.SCENARIOS`.
    input_features : list of str
        The model's input columns.
    """
    vendor = meta["vendor"]
    text = _TEXT[meta["key"]]
    return {
        "vendor_name": vendor,
        "vendor_uscc": _USCC[vendor],
        "model_name": meta["model_name"],
        "model_version": "1.0.0",
        "service_domain": meta["service_domain"],
        "intended_use": text["intended_use"],
        "out_of_scope_uses": list(text["out_of_scope_uses"]),
        "automated_decision": text["automated_decision"],
        "human_in_the_loop": text["human_in_the_loop"],
        "algorithm_type": "调度决策类",
        "filing_number": None,
        "training_data": text["training_data"],
        "personal_information_sources": list(text["personal_information_sources"]),
        "input_features": list(input_features),
        "sensitive_attributes": ["年龄", "街道镇"],
        "known_limitations": list(text["known_limitations"]),
        "contact": dict(_CONTACTS[vendor]),
        "risk_tier": text["risk_tier"],
    }
