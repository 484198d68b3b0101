"""answer_items: the whole checklist in one transaction, overrides recorded like answer_item; conditions text."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sandbox.errors import InputError, RuleViolation
from sandbox.review import (
    CHECKLIST,
    answer_item,
    answer_items,
    format_conditions,
    open_review,
    parse_conditions,
    show_review,
)
from sandbox.store import session_scope
from sandbox.store.tables import ActivityLog


def _open(world) -> int:  # type: ignore[no-untyped-def]
    return open_review(actor=world.actor("chair"), trial_id=world.trials["social"],
                       questionnaire={"rights": 2, "scale": 2})["review_id"]


def _checklist(world, rid: int) -> dict:  # type: ignore[no-untyped-def]
    return show_review(actor=world.actor("chair"), review_id=rid)["state"]["checklist"]


def _answers_logged() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(ActivityLog).where(ActivityLog.action == "review.answer"))


def _timeless(value: object) -> object:
    """The value without its ``at`` timestamps, at any depth (two saves may straddle a second)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "at"}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def test_answer_items_saves_the_batch_and_records_overrides_like_answer_item(world) -> None:  # type: ignore[no-untyped-def]
    one, batch = _open(world), _open(world)
    reviewer = world.actor("reviewer3")
    answers = [{"item": "C18", "answer": "yes", "explanation": "复核"}, {"item": "C20", "answer": "yes"},
               {"item": "C01", "answer": "no", "explanation": "原则不清", "evidence": "doc-1"}]
    singles = [answer_item(actor=reviewer, review_id=one, **a) for a in answers]
    saved = answer_items(actor=reviewer, review_id=batch, answers=answers)
    assert [_timeless(e) for e in saved] == [_timeless(e) for e in singles]
    state = _checklist(world, batch)
    assert state["C18"]["source"] == "override" and state["C18"]["override"]["from"] == "no"
    assert state["C18"]["override"]["to"] == "yes" and state["C18"]["override"]["by"] == "reviewer3"
    assert state["C20"]["source"] == "confirmed" and "override" not in state["C20"]
    assert state["C01"] == {**state["C01"], "answer": "no", "source": "reviewer", "explanation": "原则不清",
                            "evidence": "doc-1", "by": "reviewer3"}
    assert state["C02"]["answer"] is None
    assert _answers_logged() == 6  # one activity line per answered item, as answer_item writes


@pytest.mark.parametrize("bad", [{"item": "C99", "answer": "yes"}, {"item": "C03", "answer": "maybe"},
                                 {"item": "C01", "answer": "yes"}])  # C01 twice
def test_a_bad_item_in_the_batch_saves_nothing(world, bad: dict) -> None:  # type: ignore[no-untyped-def]
    rid = _open(world)
    before = _checklist(world, rid)
    answers = [{"item": "C01", "answer": "yes"}, {"item": "C18", "answer": "yes"}, bad]
    with pytest.raises(InputError) as err:
        answer_items(actor=world.actor("reviewer"), review_id=rid, answers=answers)
    assert err.value.key == "review.bad_choice"
    assert _checklist(world, rid) == before
    assert _answers_logged() == 0


def test_unchanged_answers_are_skipped_and_prefill_confirmation_counts(world) -> None:  # type: ignore[no-untyped-def]
    rid = _open(world)
    prefilled = {k: v["answer"] for k, v in _checklist(world, rid).items() if v["answer"] is not None}
    assert "C18" in prefilled
    all_yes = [{"item": k, "answer": prefilled.get(k, "yes")} for k in CHECKLIST]
    assert len(answer_items(actor=world.actor("reviewer"), review_id=rid, answers=all_yes)) == 20
    assert answer_items(actor=world.actor("reviewer"), review_id=rid, answers=all_yes) == []
    state = _checklist(world, rid)
    assert {state[k]["source"] for k in prefilled} == {"confirmed"}
    assert all(v["answer"] is not None for v in state.values())


def test_answers_refused_once_decided(world) -> None:  # type: ignore[no-untyped-def]
    rid = world.to_decision()["review_id"]
    with pytest.raises(RuleViolation) as err:
        answer_items(actor=world.actor("reviewer"), review_id=rid, answers=[{"item": "C01", "answer": "no"}])
    assert err.value.key == "review.rule_record_frozen"


def test_parse_conditions_lines_and_errors() -> None:
    text = "保留人工复核|vendor_a|2027-03-31\n\n 补充审计 | 张三 | 2027-06-30 \n"
    parsed = parse_conditions(text)
    assert parsed == [{"text": "保留人工复核", "owner": "vendor_a", "due": "2027-03-31"},
                      {"text": "补充审计", "owner": "张三", "due": "2027-06-30"}]
    assert parse_conditions(format_conditions(parsed)) == parsed
    cases = [("a|b|2027-01-01\nc|d", "review.condition_missing_due", 2),
             ("c", "review.condition_missing_owner_due", 1),
             ("ok|me|2027-01-01\n | | ", "review.condition_missing_all", 2),
             ("|b|2027-01-01", "review.condition_missing_text", 1),
             ("a|b|2027-02-30", "review.condition_bad_due", 1),
             ("a|b|20270101", "review.condition_bad_due", 1),
             ("a|b|c|2027-01-01", "review.condition_extra_fields", 1)]
    for line, key, number in cases:
        with pytest.raises(InputError) as err:
            parse_conditions(line)
        assert err.value.key == key and err.value.params["line"] == number
    with pytest.raises(InputError) as err:
        parse_conditions(["a|b|2027-01-01", "c|d"])
    assert err.value.render("zh") == "条件第 2 行缺少：期限。每行一项：内容|负责人|期限（YYYY-MM-DD）。"
    assert err.value.render("en").startswith("Condition line 2 lacks: the due date.")
