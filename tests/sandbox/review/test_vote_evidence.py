"""A vote is bound to the evidence it was cast on: a new audit (or version) after it makes it stale, ``decide``
refuses until the member votes again, and the signed record carries each vote's evidence digest (guard, s10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.errors import RuleViolation
from sandbox.i18n import t
from sandbox.review import (
    CHECKLIST,
    answer_item,
    decide,
    export_bytes,
    export_document,
    open_review,
    record_attendance,
    show_review,
    verify_all,
    verify_document,
    vote,
)
from tests.sandbox.review.test_reviewer_notices import _card, _files

ALL = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]


def _audit(world, data: Path, preds: Path, ref: str) -> dict:  # type: ignore[no-untyped-def]
    from audits import ColumnMap, run_audit

    return run_audit(
        actor=world.actor("reviewer"),
        data=data,
        predictions=preds,
        model=ref,
        replicates=200,
        columns=ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇"),
    )


def test_a_vote_on_changed_evidence_does_not_count_until_cast_again(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service = pytest.importorskip("models.service")
    data, preds = _files(tmp_path)
    chair = world.actor("chair")
    first = service.submit_model(
        actor=world.actor("vendor_a"), artifact=preds, id_column="编号", card=_card("1.0.0")
    )
    ref = f"{first['name']}/{first['version']}"
    _audit(world, data, preds, ref)
    rid = open_review(actor=chair, trial_id=first["trial_id"], questionnaire={"scale": 2})["review_id"]
    record_attendance(actor=chair, review_id=rid, present=ALL)
    for item in CHECKLIST:
        answer_item(actor=chair, review_id=rid, item=item, answer="yes")
    digests = {
        u: vote(actor=world.actor(u), review_id=rid, choice="批准", password=world.password)[
            "evidence_digest"
        ]
        for u in ALL
    }
    assert len(set(digests.values())) == 1
    assert show_review(actor=chair, review_id=rid)["stale_votes"] == []

    late = _audit(world, data, preds, ref)  # a new audit recorded after the votes
    shown = show_review(actor=chair, review_id=rid)
    assert shown["stale_votes"] == sorted(ALL)
    assert "votes_stale" in [n["code"] for n in shown["notices"]]
    with pytest.raises(RuleViolation) as refused:
        decide(actor=chair, review_id=rid, decision="批准", reasons="证据充分")
    assert refused.value.key == "review.rule_votes_stale"
    assert f"新审计 #{late['audit_id']}" in refused.value.params["voters"]
    assert "重新投票" in t(refused.value.key, "zh", **refused.value.params)
    assert "vote again" in t(refused.value.key, "en", **refused.value.params)

    for u in ALL:  # the members look again and re-vote
        vote(actor=world.actor(u), review_id=rid, choice="批准", password=world.password)
    decided = decide(actor=chair, review_id=rid, decision="批准", reasons="证据充分")
    doc = export_document(actor=chair, record_id=decided["record_id"])
    h = doc["record"]["groups"]["H"]
    assert h["evidence_digest"] != digests["chair"]
    assert {v["evidence"] for v in h["signed_votes"]} == {h["evidence_digest"]}
    assert verify_all(actor=None)["ok"]
    markdown = export_bytes(actor=chair, record_id=decided["record_id"], fmt="md").decode("utf-8")
    assert f"`{h['evidence_digest']}`" in markdown and f"| `{h['evidence_digest'][:16]}…` |" in markdown
    assert verify_document(json.loads(json.dumps(doc)))["ok"]

    # verification: a counted vote naming other evidence than the decision's (or than its signed vote) fails;
    # a record from before (no H.evidence_digest, votes without evidence) is checked as before
    from sandbox.review._verify import _Bad, _check_tally

    record = doc["record"]
    cast = {
        v["voter"]: {
            "choice": v["choice"],
            "seq": v["seq"],
            "entry_hash": v["entry_hash"],
            "evidence": v["evidence"],
        }
        for v in h["signed_votes"]
    }
    assert _check_tally(record, decided["record_id"], cast) == len(ALL)
    forged = json.loads(json.dumps(record))
    forged["groups"]["H"]["signed_votes"][0]["evidence"] = digests["chair"]
    with pytest.raises(_Bad) as bad:
        _check_tally(forged, decided["record_id"], cast)
    assert bad.value.field.endswith(".evidence")
    older = json.loads(json.dumps(record))
    del older["groups"]["H"]["evidence_digest"]
    for ref in older["groups"]["H"]["signed_votes"]:
        del ref["evidence"]
    assert _check_tally(
        older, decided["record_id"], {k: {**v, "evidence": None} for k, v in cast.items()}
    ) == len(ALL)
