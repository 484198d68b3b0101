"""A conflict of interest declared while a review is open recuses the member there: no vote, no signature, an
earlier signed vote left uncounted, C12 and the record saying so, and every verification still passing; the
vendor's short name in a declaration is enough (reviewer, session 9)."""

from __future__ import annotations

import pytest

from sandbox.errors import RuleViolation
from sandbox.review import (
    CHECKLIST,
    answer_item,
    decide,
    declare_interest,
    export_document,
    open_review,
    record_attendance,
    show_review,
    sign_record,
    verify_all,
    verify_document,
    vote,
)
from sandbox.review._rules import conflict_with, short_name

from .conftest import ALL, IMPACT


def test_the_short_name_people_write_is_a_declared_interest() -> None:
    assert short_name("智联政务科技有限公司") == "智联政务"
    assert short_name("A公司") == "A公司"  # too short to cut
    member = {"affiliation": "浙江大学", "interests": ["2025 年曾为智联 政务提供咨询"]}
    assert conflict_with(member, "智联政务科技有限公司", "91330110MA2H0QXJ7E") == "declared interest: 2025 年曾为智联 政务提供咨询"
    assert conflict_with(member, "数安城市科技有限公司", "91330106MA27Y5LQ2E") is None
    assert conflict_with({"affiliation": "", "interests": ["无"]}, "某公司", "") is None  # no USCC: nothing matches


def test_a_conflict_declared_at_the_meeting_recuses_and_uncounts_the_vote(world) -> None:  # type: ignore[no-untyped-def]
    chair = world.actor("chair")
    rid = open_review(actor=chair, trial_id=world.trials["social"], questionnaire=IMPACT)["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    for item in (i for i in CHECKLIST if i != "C12"):  # C12 stays as the sandbox filled it from the recusals
        answer_item(actor=world.actor("reviewer"), review_id=rid, item=item, answer="yes", explanation="审查通过")
    vote(actor=world.actor("reviewer3"), review_id=rid, choice="批准", password=world.password)

    declared = declare_interest(actor=world.actor("reviewer3"), username="reviewer3", interest="曾为智联政务提供咨询（2025）")
    record_no = show_review(actor=chair, review_id=rid)["record_no"]
    assert declared["recused_in"] == [record_no]
    state = show_review(actor=chair, review_id=rid)["state"]
    assert state["attendance"]["reviewer3"]["recused"] == "declared interest: 曾为智联政务提供咨询（2025）"
    with pytest.raises(RuleViolation) as refused:
        vote(actor=world.actor("reviewer3"), review_id=rid, choice="不予批准", password=world.password)
    assert refused.value.key == "review.rule_recused"
    from typer.testing import CliRunner

    from sandbox.cli import app

    told = CliRunner().invoke(app, ["--lang", "en", "committee", "declare-interest", "智联政务 2024 年项目评审专家",
                                    "--as", "reviewer4", "--password", world.password])
    assert told.exit_code == 0, told.output
    assert f"reviewer4 is now recused in the open reviews {record_no}: no further vote" in told.stderr
    # a second declaration naming no vendor changes nothing
    assert declare_interest(actor=world.actor("reviewer3"), username="reviewer3", interest="无其他")["recused_in"] == []

    for username in [u for u in ALL if u not in ("reviewer3", "reviewer4")]:
        vote(actor=world.actor(username), review_id=rid, choice="批准", password=world.password)
    decided = decide(actor=chair, review_id=rid, decision="批准", reasons="证据充分")
    assert decided["counts"]["for"] == 5 and decided["counts"]["present"] == 5
    doc = export_document(actor=chair, record_id=decided["record_id"])
    h, g = doc["record"]["groups"]["H"], doc["record"]["groups"]["G"]
    assert "reviewer3" not in h["votes"] and "reviewer3" in g["recusals"] and h["counts"]["recused"] == 2
    assert "reviewer3" in g["checklist"]["C12"]["explanation"]
    with pytest.raises(RuleViolation):
        sign_record(actor=world.actor("reviewer3"), record_id=decided["record_id"], password=world.password,
                    meaning="reviewed")
    assert verify_document(doc)["ok"], verify_document(doc)
    assert verify_all(actor=chair)["ok"], verify_all(actor=chair)
