"""Votes as signed chain entries: checked member by member, in the database and offline from the export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.errors import InputError, PermissionDenied, RuleViolation
from sandbox.review import decide, export_document, export_record, show_review, verify_all, verify_file, vote
from sandbox.review._crypto import canonical
from sandbox.store import session_scope
from tests.sandbox.review.conftest import ALL


def _tamper(sql: str, **params: object) -> None:
    with session_scope() as s:
        s.execute(text("DROP TRIGGER review_entries_no_update"))
        s.execute(text(sql), params)
        s.execute(text("CREATE TRIGGER review_entries_no_update BEFORE UPDATE ON review_entries "
                       "BEGIN SELECT RAISE(ABORT, 'review_entries is append-only'); END"))


def _vote_row(voter: str) -> tuple[int, str]:
    with session_scope() as s:
        rows = s.execute(text("SELECT id, payload FROM review_entries WHERE kind = 'vote' ORDER BY seq")).all()
    return next((i, p) for i, p in rows if json.loads(p)["vote"]["voter"] == voter)


def test_an_edited_vote_entry_is_caught(world) -> None:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    assert verify_all(actor=None)["votes"] == 7
    row_id, payload = _vote_row("reviewer3")
    edited = payload.replace('"choice":"修改后批准"', '"choice":"不予批准"')
    assert edited != payload
    _tamper("UPDATE review_entries SET payload = :p WHERE id = :i", p=edited, i=row_id)
    result = verify_all(actor=None)
    assert (result["ok"], result["record"], result["field"]) == (False, rec, "H.votes[reviewer3].signature")
    assert result["reason_key"] == "review.verify.vote_bad"


def test_the_export_is_checked_vote_by_vote(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    doc = export_document(actor=world.actor("chair"), record_id=rec)
    assert sorted(v["vote"]["voter"] for v in doc["votes"]) == sorted(ALL)
    assert all(v["fingerprint"] in {k["fingerprint"] for k in doc["public_keys"][v["vote"]["voter"]]}
               for v in doc["votes"])
    out = tmp_path / "record.json"
    export_record(actor=world.actor("chair"), record_id=rec, fmt="json", out=out)
    assert verify_file(out) == {"ok": True, "records": 1, "signatures": 0, "votes": 7, "condition_steps": 0}

    def check(change) -> dict:  # type: ignore[no-untyped-def]
        bad = json.loads(out.read_text(encoding="utf-8"))
        change(bad)
        bad.pop("export_sha256")
        path = tmp_path / "bad.json"
        path.write_text(canonical(bad, pretty=True), encoding="utf-8")
        return verify_file(path)

    result = check(lambda d: d["votes"][2]["vote"].update(choice="不予批准"))
    assert result["reason_key"] == "review.verify.vote_bad" and result["field"].endswith(".signature")
    result = check(lambda d: d["votes"].pop(0))
    assert result["reason_key"] == "review.verify.tally_bad" and result["field"].startswith("H.signed_votes[")
    mallory = check(lambda d: d["public_keys"].update(reviewer=d["public_keys"]["reviewer2"]))
    assert mallory["reason_key"] == "review.verify.vote_bad" and mallory["field"] == "H.votes[reviewer].public_key"


def test_the_last_vote_counts_and_the_tally_follows_the_signed_votes(world) -> None:  # type: ignore[no-untyped-def]
    from sandbox.review import CHECKLIST, answer_items, open_review, record_attendance

    chair = world.actor("chair")
    rid = open_review(actor=chair, trial_id=world.trials["social"], questionnaire={})["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    answer_items(actor=chair, review_id=rid, answers=[{"item": k, "answer": "yes"} for k in CHECKLIST])
    for username in ALL:
        vote(actor=world.actor(username), review_id=rid, choice="修改后再审", password=world.password)
    assert show_review(actor=chair, review_id=rid)["votes"]["reviewer"] == "修改后再审"
    for username in ALL[:5]:  # five change their minds
        vote(actor=world.actor(username), review_id=rid, choice="批准", password=world.password)
    decided = decide(actor=chair, review_id=rid, decision="批准")
    assert decided["counts"] == {"for": 5, "abstain": 0, "against": 2, "present": 7}
    assert verify_all(actor=None) == {"ok": True, "entries": 13, "records": 1, "signatures": 0, "votes": 7}
    with pytest.raises(RuleViolation) as err:  # the record is frozen: no vote after the decision
        vote(actor=world.actor("reviewer6"), review_id=rid, choice="批准", password=world.password)
    assert err.value.key == "review.rule_record_frozen"


def test_wrong_password_disabled_account_and_no_password_cast_nothing(world) -> None:  # type: ignore[no-untyped-def]
    from sandbox.review import open_review, record_attendance

    chair = world.actor("chair")
    rid = open_review(actor=chair, trial_id=world.trials["social"], questionnaire={})["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    vote(actor=world.actor("reviewer"), review_id=rid, choice="批准", password=world.password)  # reviewer has a key now
    with pytest.raises(PermissionDenied) as denied:
        vote(actor=world.actor("reviewer"), review_id=rid, choice="不予批准", password="not-mine")
    assert denied.value.key == "review.wrong_signing_password"
    with pytest.raises(InputError) as missing:
        vote(actor=world.actor("reviewer2"), review_id=rid, choice="批准", password="")
    assert missing.value.key == "review.vote_password_required"
    with session_scope() as s:
        s.execute(text("UPDATE users SET active = 0 WHERE username = 'reviewer3'"))
    with pytest.raises(RuleViolation) as disabled:
        vote(actor=world.actor("reviewer3"), review_id=rid, choice="批准", password=world.password)
    assert disabled.value.key == "review.rule_account_disabled"
    assert "disabled" in disabled.value.render("en") and "已停用" in disabled.value.render("zh")
    assert show_review(actor=chair, review_id=rid)["votes"] == {"reviewer": "批准"}


def test_cli_vote_is_signed_with_the_password(world) -> None:  # type: ignore[no-untyped-def]
    from sandbox.review import open_review, record_attendance

    chair = world.actor("chair")
    rid = str(open_review(actor=chair, trial_id=world.trials["social"], questionnaire={})["review_id"])
    record_attendance(actor=chair, review_id=int(rid), present=ALL)
    runner = CliRunner()
    done = runner.invoke(app, ["review", "vote", rid, "批准", "--as", "reviewer", "--password", world.password, "--json"])
    assert done.exit_code == 0, done.output
    signed = json.loads(done.stdout)
    assert len(signed["fingerprint"]) == 64 and signed["head"]["seq"] == 1
    done = runner.invoke(app, ["--lang", "en", "review", "vote", rid, "不予批准", "--as", "reviewer", "--password",
                               world.password, "--signing-password", "wrong-one"])
    assert done.exit_code == 1 and "Wrong password for reviewer: the signing key stays locked" in done.stderr
    assert show_review(actor=chair, review_id=int(rid))["votes"] == {"reviewer": "批准"}
