"""Committee membership over time: joins and leaves are entries of the record chain; every vote, record and
signature verifies against the roster at the moment it entered the chain."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.errors import ConflictError, InputError, RuleViolation
from sandbox.review import (
    add_member,
    open_review,
    record_attendance,
    remove_member,
    show_committee,
    sign_record,
    verify_all,
    verify_message,
)
from sandbox.review._chain import append_entry, next_link
from sandbox.store import session_scope
from sandbox.users import add_user
from tests.sandbox.review.conftest import ALL, IMPACT

NEW = {"username": "reviewer7", "category": "科技", "sex": "女", "affiliation": "市数据局", "is_chair": False}


def _cli(*args: str, lang: str = "en") -> object:
    return CliRunner().invoke(app, ["--lang", lang, *args], env={"SANDBOX_PASSWORD": "sandbox-demo"})


def test_a_member_leaves_and_a_new_one_joins_while_past_records_still_verify(world) -> None:  # type: ignore[no-untyped-def]
    decided = world.to_decision()  # reviewer2 votes in it and is present
    chair, admin = world.actor("chair"), world.actor("admin")
    sign_record(actor=chair, record_id=decided["record_id"], password=world.password, meaning="approved")
    with pytest.raises(RuleViolation) as small:  # 7 members: nobody can leave before someone joins
        remove_member(actor=admin, username="reviewer2", reason="任期届满")
    assert small.value.key == "review.rule_committee_size"
    add_user(username="reviewer7", password="member-pw-7", role="reviewer")
    with pytest.raises(InputError) as empty:
        add_member(actor=admin, member=NEW, reason="  ")
    assert empty.value.key == "committee.change_reason_required"
    # an open review keeps the roster it was opened with
    opened = open_review(actor=chair, trial_id=world.trials["risk"], questionnaire=IMPACT)
    record_attendance(actor=chair, review_id=opened["review_id"], present=ALL)
    joined = _cli("committee", "add-member", "reviewer7", "--category", "科技", "--sex", "女", "--reason",
                  "新聘委员", "--as", "admin", "--json")
    assert joined.exit_code == 0, joined.stderr
    assert json.loads(joined.stdout)["number"] == 1
    with pytest.raises(ConflictError):
        add_member(actor=admin, member=NEW, reason="again")
    with pytest.raises(InputError) as late:
        record_attendance(actor=chair, review_id=opened["review_id"], present=[*ALL, "reviewer7"])
    assert late.value.key == "review.not_member"
    with pytest.raises(RuleViolation) as sitting:  # present at the open review's meeting
        remove_member(actor=admin, username="reviewer2", reason="任期届满")
    assert sitting.value.key == "committee.member_in_open_review"
    record_attendance(actor=chair, review_id=opened["review_id"], present=[u for u in ALL if u != "reviewer2"])
    left = _cli("committee", "remove-member", "reviewer2", "--reason", "任期届满", "--as", "admin", lang="zh")
    assert left.exit_code == 0, left.stderr
    assert "reviewer2 已退出 市大数据局科技伦理委员会（现有 7 名委员），记为第 2 次委员变动。" in left.stderr + left.stdout
    shown = show_committee(actor=chair)
    assert "reviewer2" not in {m["username"] for m in shown["members"]}
    assert [(c["change"], c["username"], c["reason"], c["by"]) for c in shown["changes"]] == [
        ("joined", "reviewer7", "新聘委员", "admin"), ("left", "reviewer2", "任期届满", "admin")]
    # the record signed before, with reviewer2's vote, still verifies against the committee as it was then
    result = verify_all(actor=None)
    assert result["ok"] and result["records"] == 1 and result["votes"] == 7, result
    # a new review: the new member sits, the one who left does not
    fresh = open_review(actor=chair, trial_id=world.trials["pension"], questionnaire=IMPACT)
    with pytest.raises(InputError):
        record_attendance(actor=chair, review_id=fresh["review_id"], present=["reviewer2", *ALL[2:]])
    met = record_attendance(actor=chair, review_id=fresh["review_id"],
                            present=[u for u in ALL if u != "reviewer2"] + ["reviewer7"])
    assert met["voting_present"] == 6  # reviewer6 is recused from 数安 (declared interest); reviewer7 counts
    shown_cli = _cli("committee", "show", "--as", "chair")
    assert "Membership changes" in shown_cli.stdout and "reviewer7 joined (by admin): 新聘委员" in shown_cli.stdout


def _changes() -> list[dict]:
    """The membership entries of the record chain (payloads), oldest first."""
    with session_scope() as s:
        rows = s.execute(text("SELECT payload FROM review_entries WHERE kind = 'membership' ORDER BY seq"))
        return [json.loads(p) for (p,) in rows]


def _append_change(change: dict, prev: str) -> None:
    """Append a change to the chain (as someone with database access could), every hash computed right."""
    with session_scope(immediate=True) as s:
        committee_id = s.execute(text("SELECT id FROM committees")).scalar_one()
        seq, prev_hash = next_link(s, committee_id)
        append_entry(s, committee_id=committee_id, seq=seq, prev_hash=prev_hash, kind="membership",
                     record_id=f"membership-{change['number']}", review_id=None, vendor_id=None,
                     payload={"membership": change, "prev": prev})


def _last_hash() -> str:
    with session_scope() as s:
        return s.execute(text("SELECT entry_hash FROM review_entries WHERE kind = 'membership' "
                              "ORDER BY seq DESC LIMIT 1")).scalar_one()


def test_membership_tampering_is_caught(world) -> None:  # type: ignore[no-untyped-def]
    world.to_decision()
    admin = world.actor("admin")
    add_user(username="reviewer7", password="member-pw-7", role="reviewer")
    add_member(actor=admin, member=NEW, reason="新聘委员")
    assert verify_all(actor=None)["ok"]
    # the members table edited behind the record's back
    with session_scope() as s:
        s.execute(text("UPDATE committee_members SET category = '其他' WHERE username = 'reviewer3'"))
    bad = verify_all(actor=None)
    assert (bad["ok"], bad["field"], bad["reason_key"]) == (False, "committee_members", "review.verify.member_bad")
    with session_scope() as s:
        s.execute(text("UPDATE committee_members SET category = '法律' WHERE username = 'reviewer3'"))
    assert verify_all(actor=None)["ok"]
    first, = (c["membership"] for c in _changes())
    # a change added with a made-up "before" roster (hashes right, link right)
    forged = [m for m in first["after"] if m["username"] != "reviewer7"]
    _append_change({**first, "number": 2, "change": "left", "username": "reviewer4", "before": forged,
                    "after": [m for m in forged if m["username"] != "reviewer4"]}, _last_hash())
    bad = verify_all(actor=None)
    assert (bad["ok"], bad["field"], bad["reason_key"]) == (
        False, "membership[2:reviewer4]", "review.verify.membership_changed")
    assert "not the one" in bad["reason"]
    assert "membership changes were rewritten" in verify_message(bad, "en")


def test_a_change_not_linked_or_anchored_is_caught(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.actor("admin")
    add_user(username="reviewer7", password="member-pw-7", role="reviewer")
    add_member(actor=admin, member=NEW, reason="新聘委员")
    first, = (c["membership"] for c in _changes())
    after = [m for m in first["after"] if m["username"] != "reviewer4"]
    _append_change({**first, "number": 2, "change": "left", "username": "reviewer4", "before": first["after"],
                    "after": after}, "0" * 64)  # does not link to the first change
    bad = verify_all(actor=None)
    assert bad["field"] == "membership[2:reviewer4]" and "does not link" in bad["reason"]


def test_a_vote_by_someone_who_had_left_is_caught(world) -> None:  # type: ignore[no-untyped-def]
    """A vote signed with a former member's own key, entered after the leave, does not verify."""
    from sandbox.review import vote
    from sandbox.review._chain import private_key_for
    from sandbox.review._crypto import sign

    admin, chair = world.actor("admin"), world.actor("chair")
    add_user(username="reviewer7", password="member-pw-7", role="reviewer")
    add_member(actor=admin, member=NEW, reason="新聘委员")
    opened = open_review(actor=chair, trial_id=world.trials["social"], questionnaire=IMPACT)
    rid = opened["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    vote(actor=world.actor("reviewer5"), review_id=rid, choice="批准", password=world.password)
    with pytest.raises(RuleViolation) as absent:  # a signed vote always counts: its voter stays present
        record_attendance(actor=chair, review_id=rid, present=[u for u in ALL if u != "reviewer5"])
    assert absent.value.key == "review.rule_voted_absent"
    with pytest.raises(RuleViolation) as voted:  # ... and keeps the seat until the review is decided
        remove_member(actor=admin, username="reviewer5", reason="工作调动")
    assert voted.value.key == "committee.member_in_open_review"
    other = open_review(actor=chair, trial_id=world.trials["pension"], questionnaire=IMPACT)
    record_attendance(actor=chair, review_id=rid, present=[u for u in [*ALL, "reviewer7"] if u != "reviewer4"])
    remove_member(actor=admin, username="reviewer4", reason="工作调动")  # not at any meeting, never voted
    assert verify_all(actor=None)["ok"]
    with session_scope(immediate=True) as s:  # reviewer4's own key, a well-formed vote, after the leave
        committee_id, vendor_id = s.execute(text("SELECT committee_id, vendor_id FROM reviews WHERE id = :i"),
                                            {"i": other["review_id"]}).one()
        record_no = s.execute(text("SELECT record_no FROM reviews WHERE id = :i"), {"i": other["review_id"]}).scalar()
        private, public_b64, fp = private_key_for(s, username="reviewer4", password=world.password)
        statement = {"record_id": f"{record_no}-v1", "review_id": other["review_id"], "voter": "reviewer4",
                     "name": "reviewer4", "choice": "批准", "voted_at": "2026-12-07T00:00:00+00:00", "key": fp}
        seq, prev = next_link(s, committee_id)
        append_entry(s, committee_id=committee_id, seq=seq, prev_hash=prev, kind="vote", record_id=f"{record_no}-v1",
                     review_id=other["review_id"], vendor_id=vendor_id,
                     payload={"vote": statement, "signature": sign(private, statement), "public_key": public_b64,
                              "fingerprint": fp})
    bad = verify_all(actor=None)
    assert (bad["ok"], bad["field"], bad["reason_key"]) == (False, "H.votes[reviewer4]", "review.verify.member_bad")
    assert "was not a member" in bad["reason"]
