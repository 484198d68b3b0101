"""Demo reviews: one completed (养老, approved with conditions, signed) and one under way (社会救助).

Runs after ``models.demo`` (the trials exist then); without trials it does nothing.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sandbox.clock import local_today
from sandbox.review._committee import DEMO_COMMITTEE, DEMO_MEMBERS, create_committee
from sandbox.review._rules import CHECKLIST
from sandbox.review._tables import Committee
from sandbox.store import session_scope
from sandbox.store.tables import Trial

__all__ = ["seed_demo"]

PASSWORD = "sandbox-demo"
DETAILS: dict[str, Any] = {
    "purpose": "通过数据比对对养老金领取资格进行“无感”核验，减少老年人往返认证。",
    "necessity": "现行人工认证需老人每年到场或视频认证，高龄、农村老人负担重。",
    "system_role": "评分并推荐；核验不通过的个案由社保经办人员人工复核后决定",
    "human_decides": "社保经办人员（对所有“不通过”个案）",
    "deploying_body": "市人力资源和社会保障局", "duration": "试点 6 个月", "frequency": "每月批量核验",
    "affected_groups": ["60 岁以上养老金领取人员", "75 岁以上农村老人（重点关注）", "行动不便、独居老人"],
    "data_sources": ["社保参保与待遇发放记录", "医保就诊记录（仅是否有就诊）", "公安户籍死亡注销信息"],
    "legal_basis": "PIPL 第十三条第一款第（三）（五）项：履行法定职责、为公共利益",
    "pi_categories": ["身份信息", "社保待遇", "医疗健康（敏感）", "行踪轨迹（敏感，已排除）"],
    "isolation_and_deletion": "沙盒内隔离运行；试点结束后 30 日内删除模型输入副本",
    "mitigations": ["对 75 岁以上农村老人降低自动通过阈值并全部人工复核", "补充农村样本再训练"],
    "control_plan": "每月抽检 5% 核验结果；公平性指标超阈值即暂停自动通过",
    "emergency_plan": "系统异常时回退至人工认证流程，48 小时内通知受影响人员",
    "human_oversight": "不通过结果不直接停发，须人工复核", "complaint_route": "12345 热线与社保窗口，15 个工作日答复",
    "fallback": "人工认证（到场或上门）", "logging_plan": "核验日志保存 6 个月以上",
    "materials": ["模型卡", "公平性审计报告", "个人信息扫描与发布清单", "影响评估问卷"],
    "discussion": "委员就农村高龄老人通过率偏低展开讨论；法律委员要求明确拒绝仅自动化决策的渠道。",
    "vendor_coi_statement": "供应商声明与委员会委员无利益关联（委员吴海燕已申明咨询关系并回避）。",
}
PUBLIC_VALUE = {
    "public_value": "减少老人往返认证，提高待遇发放准确性（试点区预计每年减少 2 万人次到场认证）。",
    "legitimacy": "已征求老年人协会与社区意见；保留人工渠道，公众可拒绝自动化核验。",
    "capacity": "社保经办人员可承担人工复核量；信息中心提供运维。",
}
PIA = {
    "pia_id": "PIA-2026-017", "pia_date": "2026-10-15",
    "purpose_lawful": "履行法定职责所必需，最小必要字段。",
    "impact": "误判可能导致待遇暂停；对高龄农村老人影响更大。",
    "safeguards": "人工复核、申诉渠道、去标识化训练数据、访问控制与日志。",
}


def _trial(domain: str) -> int | None:
    with session_scope() as s:
        return s.scalar(select(Trial.id).where(Trial.service_domain == domain, Trial.deleted.is_(False))
                        .order_by(Trial.id))


def _committee() -> None:
    with session_scope() as s:
        exists = s.scalar(select(Committee.id).where(Committee.name == DEMO_COMMITTEE))
    if exists is None:
        create_committee(actor=None, name=DEMO_COMMITTEE, members=[dict(m) for m in DEMO_MEMBERS])


def seed_demo(demo_dir: Path) -> None:
    """Create the demo committee and the two demo reviews (skips gracefully without trials)."""
    from sandbox.review._checklist import answer_item
    from sandbox.review._service import (
        decide,
        open_review,
        record_attendance,
        update_details,
    )
    from sandbox.review._signing import sign_record
    from sandbox.review._votes import vote
    from sandbox.users import actor_for

    _committee()
    chair = actor_for("chair")
    present = [m["username"] for m in DEMO_MEMBERS]
    impact = {"rights": 2, "reversibility": 1, "scale": 3, "autonomy": 2, "data_sensitivity": 2, "vulnerable": 3,
              "mitigation": 2}
    pension = _trial("养老")
    if pension is not None:
        opened = open_review(actor=chair, trial_id=pension, questionnaire=impact, details=DETAILS,
                             application_date=local_today() - timedelta(days=12))
        rid = opened["review_id"]
        record_attendance(actor=chair, review_id=rid, present=present)
        update_details(actor=chair, review_id=rid, section="public_value", values=PUBLIC_VALUE)
        update_details(actor=chair, review_id=rid, section="pia", values=PIA)
        reviewer = actor_for("reviewer")
        for item, entry in open_review_checklist(rid, chair).items():
            if item == "C19" and entry.get("answer") is None:
                answer_item(actor=reviewer, review_id=rid, item=item, answer="no",
                            explanation="公平性审计证据不足或尚未提供；列入附加条件（补充审计）")
            elif entry.get("answer") is None:
                answer_item(actor=reviewer, review_id=rid, item=item, answer="yes", explanation="材料齐全，符合要求")
            else:
                answer_item(actor=reviewer, review_id=rid, item=item, answer=entry["answer"],
                            explanation=entry.get("explanation", ""))
        voters = [u for u in present if u not in opened["recusals"]]
        for username in voters:
            vote(actor=actor_for(username), review_id=rid, choice="修改后批准", password=PASSWORD)
        vendor_user = "vendor_b" if "reviewer6" in opened["recusals"] else "vendor_a"
        result = decide(
            actor=chair, review_id=rid, decision="修改后批准",
            reasons="试点价值明确；75 岁以上农村老人核验通过率偏低，须整改并人工复核。",
            conditions=[
                {"text": "对 75 岁以上农村老人“不通过”结果全部人工复核", "owner": vendor_user, "due": "2027-01-31"},
                {"text": "补充农村样本再训练并提交新的公平性审计", "owner": vendor_user, "due": "2027-04-30"},
            ],
            scope={"model_version": "reviewed version only", "districts": "试点区全部街道/镇", "end": "2027-06-30"},
            appeal_route="对决定有异议的，可在 15 日内向委员会书面申请复审",
        )
        for username in ["chair", *[u for u in voters if u != "chair"][:3], "steward"]:
            meaning = "approved" if username == "chair" else "reviewed"
            sign_record(actor=actor_for(username), record_id=result["record_id"], password=PASSWORD, meaning=meaning)
        sign_record(actor=actor_for(vendor_user), record_id=result["record_id"], password=PASSWORD,
                    meaning="acknowledged")
    social = _trial("社会救助")
    if social is not None:
        opened = open_review(actor=chair, trial_id=social, questionnaire={**impact, "mitigation": 1},
                             details={k: DETAILS[k] for k in ("system_role", "human_decides", "complaint_route")})
        rid = opened["review_id"]
        record_attendance(actor=chair, review_id=rid, present=present[:6])
        for item in list(CHECKLIST)[:6]:
            answer_item(actor=actor_for("reviewer"), review_id=rid, item=item, answer="yes", explanation="初审通过")
        vote(actor=actor_for("reviewer2"), review_id=rid, choice="修改后再审", password=PASSWORD)


def open_review_checklist(review_id: int, actor: Any) -> dict[str, dict[str, Any]]:
    from sandbox.review._queries import show_review

    return show_review(actor=actor, review_id=review_id)["state"]["checklist"]
