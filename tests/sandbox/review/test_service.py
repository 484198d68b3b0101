"""Full review through the service, and every refusal the rules demand."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sandbox.errors import InputError, PermissionDenied, RuleViolation
from sandbox.review import (
    CHECKLIST,
    NOT_PROVIDED,
    amend_review,
    answer_item,
    create_committee,
    decide,
    list_records,
    list_reviews,
    open_review,
    record_attendance,
    show_review,
    sign_record,
    verify_all,
    vote,
)
from sandbox.store import session_scope

ALL = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]
FIVE = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer5"]


def _open(world, trial: str = "social") -> int:  # type: ignore[no-untyped-def]
    return open_review(actor=world.actor("chair"), trial_id=world.trials[trial],
                       questionnaire={"rights": 2, "scale": 2})["review_id"]


def test_full_review_records_everything_and_verifies(world) -> None:  # type: ignore[no-untyped-def]
    result = world.to_decision()
    assert result["record_id"].endswith("-v1") and result["counts"]["for"] == 7
    rid, rec = result["review_id"], result["record_id"]
    for username, meaning in [("chair", "approved"), ("reviewer", "reviewed"), ("steward", "reviewed"),
                              ("vendor_a", "acknowledged")]:
        sign_record(actor=world.actor(username), record_id=rec, password=world.password, meaning=meaning)
    shown = show_review(actor=world.actor("chair"), review_id=rid)
    assert shown["status"] == "signed"
    assert [s["meaning"] for s in shown["records"][0]["signatures"]] == ["approved", "reviewed", "reviewed",
                                                                        "acknowledged"]
    state = shown["state"]
    assert state["risk"]["tier"] == "III"  # 社会救助 is at least III
    assert state["checklist"]["C18"]["prefill"]["answer"] == "no"
    assert state["checklist"]["C20"]["prefill"]["answer"] == "yes"
    assert state["evidence"] == {"audits": None, "privacy": None}  # other areas not yet provided
    assert verify_all(actor=world.actor("reviewer")) == {"ok": True, "entries": 12, "records": 1, "signatures": 4,
                                                      "votes": 7}
    rows = list_records(actor=world.actor("vendor_a"))
    assert [r["record_id"] for r in rows] == [rec] and rows[0]["decision"] == "修改后批准"
    assert list_records(actor=world.actor("vendor_b")) == []
    assert NOT_PROVIDED.startswith("尚未提供")


def test_override_of_prefilled_item_is_recorded(world) -> None:  # type: ignore[no-untyped-def]
    rid = _open(world)
    out = answer_item(actor=world.actor("reviewer3"), review_id=rid, item="C18", answer="yes", explanation="复核")
    assert out["source"] == "override" and out["override"]["from"] == "no" and out["override"]["by"] == "reviewer3"
    out = answer_item(actor=world.actor("reviewer3"), review_id=rid, item="C20", answer="yes")
    assert out["source"] == "confirmed"


def test_four_members_present_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    rid = _open(world)
    with pytest.raises(RuleViolation) as err:
        record_attendance(actor=world.actor("chair"), review_id=rid, present=FIVE[:4])
    assert err.value.key == "review.rule_quorum_size"
    assert err.value.render("zh").startswith("出席且有表决权的委员只有 4 名")
    with pytest.raises(RuleViolation) as err:
        vote(actor=world.actor("reviewer"), review_id=rid, choice="批准", password=world.password)
    assert err.value.key == "review.rule_no_quorum"


def test_all_from_one_category_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    members = [{"username": u, "category": "科技", "sex": "女", "affiliation": "x"} for u in ALL]
    with pytest.raises(RuleViolation) as err:
        create_committee(actor=None, name="单一专业委员会", members=members)
    assert err.value.key == "review.rule_committee_categories"
    rid = _open(world)
    # chair 伦理, reviewer/reviewer2 科技, reviewer5 法律 … without the law members present:
    with pytest.raises(RuleViolation) as err:
        record_attendance(actor=world.actor("chair"), review_id=rid,
                          present=["chair", "reviewer", "reviewer2", "reviewer4", "reviewer6"])
    assert err.value.key == "review.rule_quorum_categories" and err.value.params["missing"] == "法律"


def test_recused_member_cannot_vote_or_sign_and_does_not_count(world) -> None:  # type: ignore[no-untyped-def]
    opened = open_review(actor=world.actor("chair"), trial_id=world.trials["pension"], questionnaire={})
    assert set(opened["recusals"]) == {"reviewer6"}  # declared interest in 数安城市科技有限公司
    rid = opened["review_id"]
    with pytest.raises(RuleViolation) as err:  # 5 present but one recused → 4 voting
        record_attendance(actor=world.actor("chair"), review_id=rid,
                          present=["chair", "reviewer", "reviewer3", "reviewer4", "reviewer6"])
    assert err.value.key == "review.rule_quorum_size" and err.value.params["present"] == 4
    record_attendance(actor=world.actor("chair"), review_id=rid, present=ALL)
    with pytest.raises(RuleViolation) as err:
        vote(actor=world.actor("reviewer6"), review_id=rid, choice="批准", password=world.password)
    assert err.value.key == "review.rule_recused"
    assert "reviewer6" in err.value.render("en") and "recused" in err.value.render("en")


def test_four_of_seven_in_favour_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    rid = _open(world)
    chair = world.actor("chair")
    record_attendance(actor=chair, review_id=rid, present=ALL)
    for item in CHECKLIST:
        answer_item(actor=chair, review_id=rid, item=item, answer="yes")
    for i, username in enumerate(ALL):
        vote(actor=world.actor(username), review_id=rid, choice="批准" if i < 4 else "修改后再审", password=world.password)
    with pytest.raises(RuleViolation) as err:
        decide(actor=chair, review_id=rid, decision="批准")
    assert err.value.key == "review.rule_two_thirds"
    assert err.value.params == {"decision": "批准", "votes": 4, "present": 7, "needed": 5}
    with session_scope() as s:
        assert s.execute(text("SELECT count(*) FROM review_entries WHERE kind = 'record'")).scalar() == 0
        assert s.execute(text("SELECT count(*) FROM review_entries WHERE kind = 'vote'")).scalar() == 7


def test_signing_twice_and_wrong_password_and_wrong_meaning(world) -> None:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    sign_record(actor=world.actor("reviewer"), record_id=rec, password=world.password, meaning="reviewed")
    with pytest.raises(RuleViolation) as err:
        sign_record(actor=world.actor("reviewer"), record_id=rec, password=world.password, meaning="reviewed")
    assert err.value.key == "review.rule_signed_twice"
    with pytest.raises(PermissionDenied) as err2:
        sign_record(actor=world.actor("steward"), record_id=rec, password="wrong-password", meaning="reviewed")
    assert err2.value.key == "errors.wrong_password"  # first key: account password checked
    with pytest.raises(PermissionDenied) as err2:  # the key made when reviewer2 voted stays locked
        sign_record(actor=world.actor("reviewer2"), record_id=rec, password="wrong-password", meaning="reviewed")
    assert err2.value.key == "review.wrong_signing_password"
    sign_record(actor=world.actor("reviewer2"), record_id=rec, password=world.password, meaning="reviewed")
    with pytest.raises(RuleViolation) as err:
        sign_record(actor=world.actor("reviewer3"), record_id=rec, password=world.password, meaning="approved")
    assert err.value.key == "review.rule_sign_meaning"
    with pytest.raises(PermissionDenied):
        sign_record(actor=world.actor("vendor_b"), record_id=rec, password=world.password, meaning="acknowledged")


def test_wrong_password_cannot_unlock_existing_key(world) -> None:  # type: ignore[no-untyped-def]
    first = world.to_decision()["record_id"]
    sign_record(actor=world.actor("reviewer"), record_id=first, password=world.password, meaning="reviewed")
    second = world.to_decision(trial="pension", decision="修改后再审")["record_id"]
    with pytest.raises(PermissionDenied) as err:
        sign_record(actor=world.actor("reviewer"), record_id=second, password="not-the-one", meaning="reviewed")
    assert err.value.key == "review.wrong_signing_password"


def test_editing_a_signed_record_is_refused_and_amendment_supersedes(world) -> None:  # type: ignore[no-untyped-def]
    result = world.to_decision()
    rid, rec = result["review_id"], result["record_id"]
    sign_record(actor=world.actor("chair"), record_id=rec, password=world.password, meaning="approved")
    with pytest.raises(RuleViolation) as err:
        answer_item(actor=world.actor("reviewer"), review_id=rid, item="C01", answer="no")
    assert err.value.key == "review.rule_record_signed"
    with pytest.raises(RuleViolation):
        vote(actor=world.actor("reviewer"), review_id=rid, choice="不予批准", password=world.password)
    with session_scope() as s, pytest.raises(DBAPIError, match="append-only"):
        s.execute(text("UPDATE review_entries SET payload = replace(payload, '修改后批准', '批准')"))
    with session_scope() as s, pytest.raises(DBAPIError, match="append-only"):
        s.execute(text("DELETE FROM review_entries"))
    amended = amend_review(actor=world.actor("chair"), review_id=rid, reason="补充条件")
    assert amended == {"review_id": rid, "supersedes": rec, "version": 2}
    with pytest.raises(RuleViolation) as err:
        sign_record(actor=world.actor("reviewer"), record_id=rec, password=world.password, meaning="reviewed")
    assert err.value.key == "review.rule_superseded"
    chair = world.actor("chair")
    for u in ALL:
        vote(actor=world.actor(u), review_id=rid, choice="不予批准", password=world.password)
    out = decide(actor=chair, review_id=rid, decision="不予批准", reasons="复议")
    assert out["record_id"].endswith("-v2")
    rows = list_records(actor=chair)
    assert [r["supersedes"] for r in rows] == [None, rec]
    assert verify_all(actor=chair)["ok"]


def test_tier_four_needs_expert_rereview_before_approval(world) -> None:  # type: ignore[no-untyped-def]
    opened = open_review(actor=world.actor("chair"), trial_id=world.trials["risk"], questionnaire={})
    assert opened["tier"] == "IV" and opened["expert_rereview"]
    rid = opened["review_id"]
    chair = world.actor("chair")
    record_attendance(actor=chair, review_id=rid, present=ALL)
    for item in CHECKLIST:
        answer_item(actor=chair, review_id=rid, item=item, answer="yes")
    for u in ALL:
        vote(actor=world.actor(u), review_id=rid, choice="批准", password=world.password)
    with pytest.raises(RuleViolation) as err:
        decide(actor=chair, review_id=rid, decision="批准")
    assert err.value.key == "review.rule_expert_rereview"
    out = decide(actor=chair, review_id=rid, decision="批准", expert_rereview={"result": "同意", "experts": ["省专家组"]})
    assert out["decision"] == "批准"


def test_other_rules_and_vendor_isolation(world) -> None:  # type: ignore[no-untyped-def]
    rid = _open(world)
    chair = world.actor("chair")
    record_attendance(actor=chair, review_id=rid, present=ALL)
    with pytest.raises(InputError):
        vote(actor=world.actor("reviewer"), review_id=rid, choice="暂停", password=world.password)  # only at follow-up
    for u in ALL:
        vote(actor=world.actor(u), review_id=rid, choice="修改后批准", password=world.password)
    with pytest.raises(RuleViolation) as err:
        decide(actor=chair, review_id=rid, decision="修改后批准", conditions=[])
    assert err.value.key in {"review.rule_checklist_incomplete", "review.rule_conditions_required"}
    with pytest.raises(PermissionDenied):
        decide(actor=world.actor("reviewer"), review_id=rid, decision="批准")
    with pytest.raises(PermissionDenied):
        show_review(actor=world.actor("vendor_b"), review_id=rid)
    assert show_review(actor=world.actor("vendor_a"), review_id=rid)["votes"] == {}
    assert [r["review_id"] for r in list_reviews(actor=world.actor("vendor_b"))] == []
