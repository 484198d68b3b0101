"""AppTest smoke tests of the ethics review and records pages, for every role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sandbox.review import (
    CHECKLIST,
    answer_items,
    list_reviews,
    open_review,
    record_attendance,
    show_review,
    verify_all,
    vote,
)
from sandbox.users import actor_for
from tests.sandbox.review.conftest import ALL, IMPACT

ROOT = Path(__file__).resolve().parents[3]


def _page(name: str, username: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "workbench_pages" / name), default_timeout=60)
    at.session_state["actor"] = actor_for(username)
    at.session_state["lang"] = lang
    return at.run()


@pytest.mark.parametrize("username", ["chair", "reviewer", "steward", "vendor_b", "admin"])
def test_ethics_review_page_renders_for_role(seeded, username: str) -> None:  # type: ignore[no-untyped-def]
    at = _page("ethics_review.py", username)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.title[0].value == "伦理审查"
    if username == "vendor_b":
        assert any("修改后批准" in s.value for s in at.subheader)


def test_chair_opens_a_review_and_records_attendance(seeded) -> None:  # type: ignore[no-untyped-def]
    at = _page("ethics_review.py", "chair", "en")
    assert at.selectbox(key="open_trial").value is not None
    at.button(key="open_go").click().run()
    assert not at.exception
    assert any("opened" in s.value for s in at.success), [e.value for e in at.error]
    at.multiselect(key="attend_present").set_value(["chair", "reviewer"])
    newest = max(r["review_id"] for r in list_reviews(actor=actor_for("chair")))
    assert at.selectbox(key="review_pick").value == newest  # the page shows the review just opened
    at.button(key="attend_go").click().run()
    assert any("Only 2 voting members are present" in e.value for e in at.error)


def test_vendor_of_other_organisation_sees_nothing_of_it(seeded) -> None:  # type: ignore[no-untyped-def]
    at = _page("ethics_review.py", "vendor_a")
    assert not at.exception
    labels = at.selectbox(key="review_pick").options
    assert all("pension" not in label for label in labels)


def test_records_page_lists_verifies_and_exports(seeded) -> None:  # type: ignore[no-untyped-def]
    at = _page("records.py", "reviewer")
    assert not at.exception and not at.error
    assert at.title[0].value == "审查记录"
    at.button(key="records_verify_all").click().run()
    assert at.success[0].value.startswith("核验通过：1 份记录")
    at.radio(key="records_format").set_value("md")
    at.button(key="records_prepare").click().run()
    assert not at.exception and not at.error


def _checklist_of(rid: int) -> dict:
    return show_review(actor=actor_for("chair"), review_id=rid)["state"]["checklist"]


def test_reviewer_answers_the_whole_checklist_in_one_form(world) -> None:  # type: ignore[no-untyped-def]
    chair = world.actor("chair")
    rid = open_review(actor=chair, trial_id=world.trials["social"], questionnaire=IMPACT)["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    at = _page("ethics_review.py", "reviewer", "en")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.radio(key="checklist_C01").value is None  # unanswered: nothing preselected
    assert at.radio(key="checklist_C18").value == "no"  # ★ pre-filled from the evidence
    assert at.radio(key="checklist_C01").options == ["yes", "no", "n.a."]
    for item in CHECKLIST:
        if at.radio(key=f"checklist_{item}").value is None:
            at.radio(key=f"checklist_{item}").set_value("yes")
    at.radio(key="checklist_C18").set_value("yes")
    at.text_input(key="checklist_note_C18").input("复核后不在清单内")
    at.radio(key="checklist_C07").set_value("n.a.")
    at.button(key="checklist_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Saved 20 checklist answer(s)."]
    state = _checklist_of(rid)
    assert all(v["answer"] is not None and v["by"] == "reviewer" for v in state.values())
    assert state["C07"]["answer"] == "n.a." and state["C01"]["source"] == "reviewer"
    assert state["C18"]["source"] == "override" and state["C18"]["override"]["from"] == "no"
    assert state["C18"]["explanation"] == "复核后不在清单内"
    assert at.radio(key="checklist_C07").value == "n.a."  # the form shows the saved state
    at.button(key="checklist_save").click().run()
    assert not at.success and at.info[-1].value == "Nothing changed in the checklist."


def _voted(world) -> int:  # type: ignore[no-untyped-def]
    chair = world.actor("chair")
    rid = open_review(actor=chair, trial_id=world.trials["social"], questionnaire=IMPACT)["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    answer_items(actor=world.actor("reviewer"), review_id=rid,
                 answers=[{"item": k, "answer": "yes"} for k in CHECKLIST])
    for username in ALL:
        vote(actor=world.actor(username), review_id=rid, choice="修改后批准", password=world.password)
    return rid


def test_chair_decides_with_conditions_typed_one_per_line(world) -> None:  # type: ignore[no-untyped-def]
    rid = _voted(world)
    at = _page("ethics_review.py", "chair")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="decide_choice").value is None
    at.selectbox(key="decide_choice").set_value("修改后批准")
    at.text_area(key="decide_reasons").input("证据充分")
    at.text_area(key="decide_conditions").input("对75岁以上农村老人保留人工复核|vendor_a|2027-03-31\n补充审计|vendor_a")
    at.button(key="decide_go").click().run()
    assert [e.value for e in at.error] == ["条件第 2 行缺少：期限。每行一项：内容|负责人|期限（YYYY-MM-DD）。"]
    shown = show_review(actor=world.actor("chair"), review_id=rid)
    assert shown["status"] == "open" and shown["state"]["decision"] is None and shown["records"] == []
    at.text_area(key="decide_conditions").input("对75岁以上农村老人保留人工复核|vendor_a|2027-03-31\n"
                                                "补充审计|vendor_a|2027-06-30")
    at.button(key="decide_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("已作出决定，生成记录 ER-")
    shown = show_review(actor=world.actor("chair"), review_id=rid)
    assert shown["status"] == "decided"
    assert [(c["id"], c["text"], c["due"]) for c in shown["state"]["decision"]["conditions"]] == [
        ("K1", "对75岁以上农村老人保留人工复核", "2027-03-31"), ("K2", "补充审计", "2027-06-30")]
    assert any(s.value == "决定：修改后批准" for s in at.subheader)  # the page shows the decision at once
    record = shown["state"]["record_id"]

    vendor = _page("ethics_review.py", "vendor_a", "en")
    vendor.selectbox(key="review_pick").set_value(rid).run()
    assert not vendor.exception and not vendor.error, [e.value for e in vendor.error]
    assert any(s.value == "Decision: Approve with conditions" for s in vendor.subheader)
    assert list(vendor.table[0].value["Condition"]) == ["对75岁以上农村老人保留人工复核", "补充审计"]
    assert vendor.selectbox(key="sign_meaning").value == "acknowledged"
    vendor.text_input(key="sign_password").input(world.password)
    vendor.button(key="sign_go").click().run()
    assert not vendor.error, [e.value for e in vendor.error]
    assert vendor.success[0].value.startswith(f"Record {record} signed. Chain head: ")
    signatures = show_review(actor=world.actor("chair"), review_id=rid)["records"][0]["signatures"]
    assert [(s["meaning"]) for s in signatures] == ["acknowledged"]


def test_decision_and_vote_choices_are_translated_in_english(world) -> None:  # type: ignore[no-untyped-def]
    chair = world.actor("chair")
    rid = open_review(actor=chair, trial_id=world.trials["social"], questionnaire=IMPACT)["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    at = _page("ethics_review.py", "chair", "en")
    assert at.selectbox(key="decide_choice").options == ["Approve", "Approve with conditions", "Revise and resubmit",
                                                         "Reject"]
    assert at.radio(key="vote_choice").options[-1] == "Abstain" and at.radio(key="vote_choice").value is None
    at.button(key="vote_cast").click().run()
    assert [e.value for e in at.error] == ["Choose how you vote first."]
    at.radio(key="vote_choice").set_value("修改后批准")
    at.text_input(key="vote_password").input("not-my-password")
    at.button(key="vote_cast").click().run()
    assert [e.value for e in at.error] == ["Wrong password for user chair."]  # chair's first key: account password
    at.text_input(key="vote_password").input(world.password)
    at.button(key="vote_cast").click().run()
    assert re.fullmatch(r"Vote signed: Approve with conditions\. Chain head: 1:[0-9a-f]{16}…\.", at.success[0].value)
    assert at.radio(key="vote_choice").value == "修改后批准"
    assert verify_all(actor=None)["ok"]


def test_records_page_shows_the_chain_head_to_copy(seeded) -> None:  # type: ignore[no-untyped-def]
    from sandbox.review import chain_heads, head_text

    at = _page("records.py", "reviewer", "en")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [c.value for c in at.code] == [head_text(h) for h in chain_heads(actor=None)]


def _overdue_decision(world) -> str:  # type: ignore[no-untyped-def]
    from sandbox.review import decide

    rid = _voted(world)
    return decide(actor=world.actor("chair"), review_id=rid, decision="修改后批准",
                  conditions=[{"text": "上线人工复核", "owner": "vendor_a", "due": "2020-01-31"}])["record_id"]


def test_vendor_submits_evidence_and_chair_accepts_on_the_page(world) -> None:  # type: ignore[no-untyped-def]
    from sandbox.review import list_conditions

    rec = _overdue_decision(world)
    home = _page("home.py", "vendor_a", "en")
    assert not home.exception and not home.error, [e.value for e in home.error]
    assert any("1 condition(s) overdue" in w.value for w in home.warning)
    assert any(re.search(r"K1 is \d+ days overdue, past the 30-day grace period — flagged for suspension", w.value)
               for w in _page("home.py", "chair", "en").warning)
    vendor = _page("ethics_review.py", "vendor_a", "en")
    assert vendor.selectbox(key="cond_pick").value == f"{rec}/K1"
    vendor.text_area(key="cond_evidence").input("人工复核流程已上线")
    vendor.text_input(key="cond_link").input("https://example.org/evidence.pdf")
    vendor.button(key="cond_submit").click().run()
    assert not vendor.error, [e.value for e in vendor.error]
    assert [s.value for s in vendor.success] == [f"Condition {rec}/K1: evidence submitted."]
    chair = _page("ethics_review.py", "chair", "zh")
    assert chair.selectbox(key="cond_decide_pick").value == f"{rec}/K1"
    chair.button(key="cond_reject").click().run()
    assert [e.value for e in chair.error] == ["退回条件须说明理由，供应商据此整改。"]
    chair.text_input(key="cond_note").input("材料齐全")
    chair.button(key="cond_accept").click().run()
    assert [s.value for s in chair.success] == [f"条件 {rec}/K1：已确认完成。"]
    [cond] = list_conditions(actor=world.actor("chair"))
    assert cond["status"] == "accepted" and [h["action"] for h in cond["history"]] == ["submitted", "accepted"]
    assert not any("overdue" in w.value for w in _page("home.py", "vendor_a", "en").warning)
