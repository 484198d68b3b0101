"""The rules of ethics review (科技伦理审查办法（试行）2023; PIPL art. 24, 55, 56).

Pure functions: committee composition, quorum, recusal, the ⅔ vote, the risk
tier questionnaire and follow-up dates. The service calls these and raises
:class:`sandbox.errors.RuleViolation` naming the rule.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from sandbox.errors import InputError, RuleViolation

__all__ = [
    "ANSWERS",
    "CATEGORIES",
    "CHECKLIST",
    "DECISIONS",
    "FOLLOWUP_DECISIONS",
    "FOLLOWUP_MONTHS",
    "MEANINGS",
    "MIN_MEMBERS",
    "MIN_QUORUM",
    "QUESTIONS",
    "REQUIRED_CATEGORIES",
    "REVIEW_TYPES",
    "check_committee",
    "check_majority",
    "check_quorum",
    "conflict_message",
    "conflict_with",
    "follow_up_date",
    "risk_tier",
]

Category = Literal["科技", "伦理", "法律", "其他"]
CATEGORIES: tuple[str, ...] = ("科技", "伦理", "法律", "其他")
REQUIRED_CATEGORIES: tuple[str, ...] = ("科技", "伦理", "法律")
MIN_MEMBERS = 7
MIN_QUORUM = 5
DECISIONS: tuple[str, ...] = ("批准", "修改后批准", "修改后再审", "不予批准")
FOLLOWUP_DECISIONS: tuple[str, ...] = ("暂停", "终止")
APPROVING: tuple[str, ...] = ("批准", "修改后批准")
REVIEW_TYPES: tuple[str, ...] = ("initial", "amendment", "follow-up", "expert-rereview", "emergency")
PROCEDURES: tuple[str, ...] = ("general", "simplified", "emergency")
MEANINGS: tuple[str, ...] = ("reviewed", "approved", "acknowledged")
ANSWERS: tuple[str, ...] = ("yes", "no", "n.a.")
RETENTION_YEARS = 3
# Follow-up at most every 12 months, sooner for higher tiers.
FOLLOWUP_MONTHS: dict[str, int] = {"I": 12, "II": 12, "III": 6, "IV": 3}

# The checklist (REVIEW_CHECKLIST.md): id -> (zh, en, basis, pre-filled from evidence).
CHECKLIST: dict[str, tuple[str, str, str, bool]] = {
    "C01": ("符合科技伦理原则", "consistent with the ethics principles", "办法 art. 3, 15(一)", False),
    "C02": ("人员资质、研究基础及设施条件符合要求", "team qualifications and facilities adequate", "art. 15(一)", False),
    "C03": ("具有科学价值和社会价值（公共价值）", "scientific and social (public) value", "art. 15(二)", False),
    "C04": ("风险受益合理", "risks and benefits reasonably balanced", "art. 15(二)", False),
    "C05": ("伦理风险控制方案及应急预案科学、可操作", "risk-control and emergency plans workable", "art. 15(二)", False),
    "C06": ("试点人群纳入公平合理", "trial population selected fairly", "art. 15(三)", False),
    "C07": ("对老年人、不满十四周岁未成年人等脆弱人群特殊保护", "vulnerable groups (elderly, under-14s) specially protected", "art. 15(三); PIPL art. 28, 31", False),
    "C08": ("告知与同意（或法定豁免）充分", "notice and consent (or lawful exemption) adequate", "art. 15(三)", False),
    "C09": ("数据处理合规；风险监测与应急方案得当", "data handling lawful; monitoring and incident plans in place", "art. 15(五)", False),
    "C10": ("算法遵循公平、公正、透明、可靠、可控原则", "algorithm fair, just, transparent, reliable, controllable", "art. 15(五)", False),
    "C11": ("提供说明、拒绝仅自动化决策及申诉渠道", "explanation, refusal of solely automated decisions, complaint route", "art. 15(五); PIPL art. 24", False),
    "C12": ("利益冲突已申明并妥善管理", "conflicts of interest declared and managed", "art. 9(三)", False),
    "C13": ("是否触发个人信息保护影响评估", "is a personal information impact assessment triggered", "PIPL art. 55", True),
    "C14": ("处理目的、方式合法、正当、必要", "purpose and method lawful, justified, necessary", "PIPL art. 56(一)", False),
    "C15": ("对个人权益的影响及安全风险已评估", "impact on rights and security risks assessed", "PIPL art. 56(二)", False),
    "C16": ("保护措施合法、有效并与风险程度相适应", "safeguards lawful, effective, proportionate", "PIPL art. 56(三)", False),
    "C17": ("去标识化有效，未误称匿名化", "de-identification effective, not mislabelled as anonymization", "PIPL art. 73; GB/T 37964", True),
    "C18": ("是否属于需专家复核的清单", "on the expert re-review list", "办法 art. 25 and annex", True),
    "C19": ("分组公平性（年龄段 × 区县）达到阈值", "group fairness (age band × district) meets thresholds", "TC260 AI framework; EU AI Act art. 10", True),
    "C20": ("影响评估报告与处理记录已归档（≥3年）", "impact assessment and processing records archived (≥3 years)", "PIPL art. 56", True),
}

# Impact questionnaire after Canada's AIA: each factor 0 (none) … 3 (high).
QUESTIONS: tuple[str, ...] = ("rights", "reversibility", "scale", "autonomy", "data_sensitivity", "vulnerable")
ELIGIBILITY_DOMAINS: tuple[str, ...] = ("社会救助", "养老")
EXPERT_LIST_DOMAINS: tuple[str, ...] = ("基层治理",)


def check_committee(members: list[dict[str, Any]]) -> None:
    """≥7 members covering science/technology, ethics and law."""
    if len(members) < MIN_MEMBERS:
        raise RuleViolation("review.rule_committee_size", count=len(members), minimum=MIN_MEMBERS)
    missing = [c for c in REQUIRED_CATEGORIES if not any(m["category"] == c for m in members)]
    if missing:
        raise RuleViolation("review.rule_committee_categories", missing="、".join(missing))


CONFLICT_PREFIXES: dict[str, str] = {"same organisation: ": "review.conflict.same_org",
                                     "declared interest: ": "review.conflict.interest"}


def conflict_message(reason: str) -> tuple[str, dict[str, str]]:
    """The catalog key and parameters that say a stored recusal reason in the user's language."""
    for prefix, key in CONFLICT_PREFIXES.items():
        if reason.startswith(prefix):
            return key, {"detail": reason.removeprefix(prefix)}
    return "review.conflict.other", {"detail": reason}


LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "科技有限公司", "技术有限公司", "有限公司", "集团", "公司")


def short_name(vendor_name: str) -> str:
    """The name people write for a company: 智联政务科技有限公司 → 智联政务 (legal suffix off; ≥ 2 characters)."""
    name = "".join(vendor_name.split())
    for suffix in LEGAL_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def conflict_with(member: dict[str, Any], vendor_name: str, vendor_uscc: str) -> str | None:
    """Why ``member`` is tied to the vendor (same organisation or declared interest), else None.

    A declared interest names the vendor as people write it: the legal name, the short name without the legal
    suffix (``曾为智联政务提供咨询`` for 智联政务科技有限公司) or the 统一社会信用代码.
    """
    if member.get("affiliation") and member["affiliation"].strip() in (vendor_name, short_name(vendor_name)):
        return f"same organisation: {vendor_name}"
    short = short_name(vendor_name)
    for interest in member.get("interests") or []:
        written = "".join(interest.split())
        if vendor_name in interest or short in written or (vendor_uscc and vendor_uscc in interest):
            return f"declared interest: {interest}"
    return None


def check_quorum(voting_present: list[dict[str, Any]]) -> None:
    """≥5 voting (not recused) members present, covering the three categories."""
    if len(voting_present) < MIN_QUORUM:
        raise RuleViolation("review.rule_quorum_size", present=len(voting_present), minimum=MIN_QUORUM)
    missing = [c for c in REQUIRED_CATEGORIES if not any(m["category"] == c for m in voting_present)]
    if missing:
        raise RuleViolation("review.rule_quorum_categories", missing="、".join(missing))


def check_majority(decision: str, votes: dict[str, str], voting_present: int) -> dict[str, int]:
    """Vote counts; refuses unless ≥⅔ of the voting members present chose ``decision``."""
    counts = {
        "for": sum(1 for c in votes.values() if c == decision),
        "abstain": sum(1 for c in votes.values() if c == "abstain"),
    }
    counts["against"] = len(votes) - counts["for"] - counts["abstain"]
    counts["present"] = voting_present
    if 3 * counts["for"] < 2 * voting_present:
        needed = -(-2 * voting_present // 3)
        raise RuleViolation(
            "review.rule_two_thirds", decision=decision, votes=counts["for"], present=voting_present, needed=needed
        )
    return counts


def risk_tier(answers: dict[str, Any], *, service_domain: str, automated_decision: bool) -> dict[str, Any]:
    """Risk tier I–IV from the impact questionnaire (after Canada's AIA).

    Raw score = sum of the six factors (0–3 each, max 18); mitigation (0–3)
    takes 10 % off per level. Tier by share of the maximum: <25 % I, <50 % II,
    <75 % III, else IV. Eligibility and benefit decisions (社会救助, 养老) are at
    least III; the expert re-review list (基层治理 risk early-warning,
    high-autonomy decisions on safety/health/rights, public-opinion
    mobilisation) is IV.
    """
    raw = 0
    for name in QUESTIONS:
        value = answers.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3:
            raise InputError("review.bad_questionnaire", field=name, value=value)
        raw += value
    mitigation = answers.get("mitigation", 0)
    if not isinstance(mitigation, int) or isinstance(mitigation, bool) or not 0 <= mitigation <= 3:
        raise InputError("review.bad_questionnaire", field="mitigation", value=mitigation)
    score = round(raw * (1 - 0.1 * mitigation), 2)
    share = score / (3 * len(QUESTIONS))
    tier = "I" if share < 0.25 else "II" if share < 0.5 else "III" if share < 0.75 else "IV"
    reasons: list[str] = []
    order = ["I", "II", "III", "IV"]
    if service_domain in ELIGIBILITY_DOMAINS and order.index(tier) < 2:
        tier = "III"
        reasons.append(f"eligibility/benefit decision ({service_domain}) is at least III")
    expert = []
    if service_domain in EXPERT_LIST_DOMAINS:
        expert.append(f"{service_domain} risk early-warning is on the expert re-review list")
    if answers.get("autonomy", 0) == 3 and answers.get("rights", 0) == 3 and automated_decision:
        expert.append("high-autonomy automated decision affecting safety/health/rights")
    if answers.get("public_opinion"):
        expert.append("algorithm that can mobilise public opinion (舆论社会动员)")
    if expert:
        tier = "IV"
        reasons += expert
    return {
        "raw": raw, "mitigation": mitigation, "score": score, "max": 3 * len(QUESTIONS),
        "tier": tier, "expert_rereview": bool(expert), "reasons": reasons,
    }


def follow_up_date(decided: date, tier: str) -> date:
    """Next review: ≤12 months, sooner by tier (III 6, IV 3 months)."""
    months = FOLLOWUP_MONTHS.get(tier, 12)
    return _add_months(decided, months)


def retention_until(decided: date) -> date:
    return _add_months(decided, 12 * RETENTION_YEARS)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return day + timedelta(days=30 * months)  # pragma: no cover
