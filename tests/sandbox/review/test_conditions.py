"""Conditions: status, history and due dates; overdue lists; the suspension flag; the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.errors import InputError, NotFoundError, PermissionDenied, RuleViolation
from sandbox.review import (
    accept_condition,
    due_list,
    list_conditions,
    parse_conditions,
    reject_condition,
    submit_condition_evidence,
    verify_all,
)


def _decided(world) -> str:  # type: ignore[no-untyped-def]
    return world.to_decision()["record_id"]  # one condition K1, vendor_a, due 2027-03-31


def test_condition_goes_open_submitted_rejected_open_submitted_accepted(world) -> None:  # type: ignore[no-untyped-def]
    rec = _decided(world)
    vendor, chair, cid = world.actor("vendor_a"), world.actor("chair"), f"{rec}/K1"
    [cond] = list_conditions(actor=vendor)
    assert (cond["condition"], cond["status"], cond["due"], cond["mandatory"]) == (cid, "open", "2027-03-31", True)
    out = submit_condition_evidence(actor=vendor, condition=cid, evidence="已上线人工复核流程", link="https://example.org/a.pdf")
    assert out["status"] == "submitted" and out["head"]["seq"] == 9
    with pytest.raises(RuleViolation) as err:  # only open conditions take evidence
        submit_condition_evidence(actor=vendor, condition=cid, evidence="again")
    assert err.value.key == "review.condition_not_open"
    with pytest.raises(InputError) as bad:
        reject_condition(actor=chair, condition=cid, note=" ")
    assert bad.value.key == "review.condition_note_required"
    assert reject_condition(actor=chair, condition=cid, note="缺少抽检记录")["status"] == "open"
    [cond] = list_conditions(actor=chair)
    assert cond["status"] == "open" and cond["last_note"] == "缺少抽检记录"
    submit_condition_evidence(actor=vendor, condition=cid, evidence="补充了抽检记录")
    assert accept_condition(actor=chair, condition=cid, note="符合")["status"] == "accepted"
    [cond] = list_conditions(actor=vendor)
    assert [(h["action"], h["by"]) for h in cond["history"]] == [
        ("submitted", "vendor_a"), ("rejected", "chair"), ("submitted", "vendor_a"), ("accepted", "chair")]
    assert cond["history"][0]["link"] == "https://example.org/a.pdf"
    result = verify_all(actor=None)
    assert result["ok"] and result["entries"] == 12  # 7 votes, the record, 4 condition steps
    with pytest.raises(RuleViolation):
        accept_condition(actor=chair, condition=cid)


def test_who_may_do_what_and_bad_ids(world) -> None:  # type: ignore[no-untyped-def]
    rec = _decided(world)
    cid = f"{rec}/K1"
    with pytest.raises(PermissionDenied):
        submit_condition_evidence(actor=world.actor("vendor_b"), condition=cid, evidence="not ours")
    with pytest.raises(PermissionDenied):
        submit_condition_evidence(actor=world.actor("reviewer"), condition=cid, evidence="x")
    assert list_conditions(actor=world.actor("vendor_b")) == []
    submit_condition_evidence(actor=world.actor("vendor_a"), condition=cid, evidence="done")
    with pytest.raises(PermissionDenied):
        accept_condition(actor=world.actor("reviewer"), condition=cid)
    with pytest.raises(InputError) as err:
        submit_condition_evidence(actor=world.actor("vendor_a"), condition="K1", evidence="x")
    assert err.value.key == "review.condition_bad_id"
    with pytest.raises(NotFoundError) as missing:
        submit_condition_evidence(actor=world.actor("vendor_a"), condition=f"{rec}/K9", evidence="x")
    assert missing.value.key == "review.condition_not_found" and cid in missing.value.render("en")
    with pytest.raises(InputError) as link:
        submit_condition_evidence(actor=world.actor("vendor_a"), condition=cid, evidence="x", link="ftp://x/y")
    assert link.value.key == "review.condition_bad_link"


def test_overdue_conditions_and_the_suspension_flag(world) -> None:  # type: ignore[no-untyped-def]
    rec = _decided(world)
    chair = world.actor("chair")
    assert due_list(actor=chair, today=date(2027, 3, 31))["overdue"] is False  # due today: not yet overdue
    due = due_list(actor=chair, today=date(2027, 4, 10))
    assert due["overdue"] and [c["condition"] for c in due["overdue_conditions"]] == [f"{rec}/K1"]
    assert due["overdue_conditions"][0]["days_overdue"] == 10 and due["suspension_flags"] == []
    due = due_list(actor=chair, today=date(2027, 5, 1))  # 31 days > the default 30-day grace period
    assert [c["condition"] for c in due["suspension_flags"]] == [f"{rec}/K1"]
    # the follow-up (tier III: 6 months after the decision) is due as well by then
    assert due_list(actor=None, today=date(2030, 1, 1))["followups_due"][0]["record_id"] == rec
    assert due_list(actor=world.actor("vendor_b"), today=date(2027, 5, 1))["overdue"] is False
    submit_condition_evidence(actor=world.actor("vendor_a"), condition=f"{rec}/K1", evidence="done")
    due = due_list(actor=chair, today=date(2027, 5, 1))
    assert due["overdue_conditions"] == [] and len(due["awaiting_decision"]) == 1


def test_optional_conditions_are_never_flagged() -> None:
    assert parse_conditions("补充说明|vendor_a|2027-01-31|可选") == [
        {"text": "补充说明", "owner": "vendor_a", "due": "2027-01-31", "mandatory": False}]
    with pytest.raises(InputError):
        parse_conditions("补充说明|vendor_a|2027-01-31|也许")


def test_cli_conditions_and_due(world) -> None:  # type: ignore[no-untyped-def]
    rec = _decided(world)
    runner = CliRunner()

    def run(*args: str, user: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, [*args, *(["--as", user, "--password", world.password] if user else [])])

    listed = run("review", "condition", "list", "--json", user="vendor_a")
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["condition"] == f"{rec}/K1"
    done = run("review", "condition", "submit", f"{rec}/K1", "--evidence", "已整改", "--json", user="vendor_a")
    assert done.exit_code == 0 and json.loads(done.stdout)["status"] == "submitted"
    done = run("--lang", "en", "review", "condition", "reject", f"{rec}/K1", user="chair")
    assert done.exit_code == 1 and "needs a note saying why" in done.stderr
    done = run("review", "condition", "reject", f"{rec}/K1", "--note", "证据不足", user="chair")
    assert done.exit_code == 0
    due = run("review", "due", "--json")  # a scheduled job: no --as
    assert due.exit_code == 0 and json.loads(due.stdout)["overdue"] is False
    from sandbox.review import _followup

    original = _followup._today
    _followup._today = lambda: date(2027, 6, 1)  # type: ignore[assignment]
    try:
        due = run("--lang", "en", "review", "due", "--json", user="chair")
        assert due.exit_code == 3 and json.loads(due.stdout)["suspension_flags"][0]["id"] == "K1"
        assert "Overdue: 1 condition(s)" in due.stderr
        human = run("review", "due", user="vendor_a")
        assert human.exit_code == 3 and "建议暂停" in human.stdout
    finally:
        _followup._today = original  # type: ignore[assignment]


def test_an_edited_condition_step_is_caught(world) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from sandbox.store import session_scope

    rec = _decided(world)
    submit_condition_evidence(actor=world.actor("vendor_a"), condition=f"{rec}/K1", evidence="已整改")
    with session_scope() as s:
        s.execute(text("DROP TRIGGER review_entries_no_update"))
        s.execute(text("UPDATE review_entries SET payload = replace(payload, '已整改', '已全部整改') "
                       "WHERE kind = 'condition'"))
    result = verify_all(actor=None)
    assert (result["ok"], result["record"], result["field"]) == (False, rec, "entry_hash")
