"""Approval moves the MLflow ``approved`` alias onto exactly the reviewed version; suspension removes it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sandbox.review import (
    CHECKLIST,
    answer_item,
    decide,
    export_document,
    open_review,
    re_review_triggers,
    record_attendance,
    sign_record,
    vote,
)

ALL = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]


def _card(version: str) -> dict:
    return {
        "vendor_name": "智联政务科技有限公司", "vendor_uscc": "91330110MA2H0QXJ7E",
        "model_name": "hotline-routing", "model_version": version, "service_domain": "12345热线",
        "intended_use": "12345 热线工单分派建议", "out_of_scope_uses": ["自动结案"], "automated_decision": False,
        "human_in_the_loop": True, "algorithm_type": "调度决策类", "filing_number": None,
        "training_data": "2024 年工单（脱敏）", "personal_information_sources": ["热线系统"],
        "input_features": ["工单内容"], "sensitive_attributes": ["年龄", "街道镇"], "known_limitations": [],
        "contact": {"name": "张伟", "phone": "0571-88886666", "email": "zhangwei@example.cn"}, "risk_tier": "II",
    }


def _review(world, trial_id: int, decision: str, review_type: str = "initial") -> dict:  # type: ignore[no-untyped-def]
    chair = world.actor("chair")
    rid = open_review(actor=chair, trial_id=trial_id, review_type=review_type, questionnaire={"scale": 2})["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    for item in CHECKLIST:
        answer_item(actor=chair, review_id=rid, item=item, answer="yes")
    for u in ALL:
        vote(actor=world.actor(u), review_id=rid, choice=decision, password=world.password)
    return decide(actor=chair, review_id=rid, decision=decision)


def test_alias_follows_the_signed_decision(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service = pytest.importorskip("models.service")
    from models.registry import Registry

    predictions = tmp_path / "predictions.csv"
    predictions.write_text("编号,预测\n" + "\n".join(f"{i},市场监管局" for i in range(1, 31)) + "\n", encoding="utf-8")
    submitted = service.submit_model(actor=world.actor("vendor_a"), artifact=predictions, id_column="编号",
                                     card=_card("1.0.0"))
    name, version = submitted["name"], submitted["version"]
    decided = _review(world, submitted["trial_id"], "批准")
    assert Registry().version_by_alias(name, "approved") is None  # not before the chair signs
    signed = sign_record(actor=world.actor("chair"), record_id=decided["record_id"], password=world.password,
                         meaning="approved")
    assert signed["alias"] == {"status": "set", "alias": "approved", "version": version}
    assert Registry().version_by_alias(name, "approved") == version
    shown = service.show_model(actor=world.actor("reviewer"), name=name, version=version)
    assert "approved" in shown["aliases"]
    assert re_review_triggers(actor=world.actor("chair"), record_id=decided["record_id"]) == []
    predictions.write_text("编号,预测\n" + "\n".join(f"{i},城管局" for i in range(1, 31)) + "\n", encoding="utf-8")
    newer = service.submit_model(actor=world.actor("vendor_a"), artifact=predictions, id_column="编号",
                                 card=_card("1.1.0"))
    assert "approved" not in service.show_model(actor=world.actor("chair"), name=name, version=newer["version"])["aliases"]
    triggers = re_review_triggers(actor=world.actor("chair"), record_id=decided["record_id"],
                                  today=date(2099, 1, 1))
    assert [t["trigger"] for t in triggers] == ["follow-up due", "new model version"]
    suspended = _review(world, submitted["trial_id"], "暂停", review_type="follow-up")
    assert suspended["alias"] == {"status": "removed", "alias": "approved"}
    doc = export_document(actor=world.actor("chair"), record_id=suspended["record_id"])
    assert doc["record"]["groups"]["A"]["previous_record"] == decided["record_id"]
    assert Registry().version_by_alias(name, "approved") is None
