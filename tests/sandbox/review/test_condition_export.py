"""The condition history in a record's export (format /2): steps, status on the export's date, verification."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

from sandbox.review import (
    _followup,
    accept_condition,
    export_bytes,
    export_document,
    reject_condition,
    submit_condition_evidence,
    verify_document,
)
from sandbox.review._crypto import canonical, sha256_text
from sandbox.review._export import to_markdown
from sandbox.review._verify import verify_bytes


def _resealed(doc: dict[str, Any]) -> dict[str, Any]:
    """An edited export with its digest recomputed (the digest only catches a corrupted copy)."""
    body = {k: v for k, v in doc.items() if k != "export_sha256"}
    return {**body, "export_sha256": sha256_text(canonical(body))}


def test_export_carries_the_condition_history_and_verifies(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    vendor, chair, cid = world.actor("vendor_a"), world.actor("chair"), f"{rec}/K1"
    fresh = export_document(actor=chair, record_id=rec)
    assert fresh["format"] == "sandbox-signoff-export/3" and fresh["condition_steps"] == []
    assert [c["status"] for c in fresh["condition_status"]] == ["open"] and verify_document(fresh)["ok"]

    submit_condition_evidence(actor=vendor, condition=cid, evidence="已上线人工复核", link="https://example.org/a.pdf")
    reject_condition(actor=chair, condition=cid, note="缺少抽检记录")
    monkeypatch.setattr(_followup, "_today", lambda: date(2027, 4, 15))   # open again, past its due date
    overdue = export_document(actor=vendor, record_id=rec)
    [state] = overdue["condition_status"]
    assert (state["status"], state["overdue"], state["days_overdue"], overdue["conditions_as_of"]) == (
        "open", True, 15, "2027-04-15")
    assert verify_document(overdue)["ok"] and verify_document(overdue)["condition_steps"] == 2

    submit_condition_evidence(actor=vendor, condition=cid, evidence="补充了抽检记录")
    accept_condition(actor=chair, condition=cid, note="符合")
    done = export_document(actor=chair, record_id=rec)
    assert [(e["condition"]["action"], e["condition"]["by"]) for e in done["condition_steps"]] == [
        ("submitted", "vendor_a"), ("rejected", "chair"), ("submitted", "vendor_a"), ("accepted", "chair")]
    [state] = done["condition_status"]
    assert (state["status"], state["overdue"], state["evidence"]) == ("accepted", False, "补充了抽检记录")
    assert state["met_at"] == done["condition_steps"][-1]["condition"]["at"]
    result = verify_bytes(canonical(done, pretty=True).encode("utf-8"))
    assert result["ok"] and result["condition_steps"] == 4
    markdown = to_markdown(done)
    assert "条件进展 Condition follow-up" in markdown and "缺少抽检记录" in markdown and "已完成 accepted" in markdown
    assert export_bytes(actor=chair, record_id=rec, fmt="pdf").startswith(b"%PDF")

    _tampering_is_caught(done)


def _tampering_is_caught(done: dict[str, Any]) -> None:
    edited = copy.deepcopy(done)                       # a step's evidence rewritten
    edited["condition_steps"][2]["condition"]["evidence"] = "其实什么也没做"
    bad = verify_document(_resealed(edited))
    assert not bad["ok"] and bad["field"] == "H.conditions[K1].entry_hash" and bad["reason_key"] == "review.verify.chain_broken"

    dropped = copy.deepcopy(done)                      # the rejection left out: the story no longer adds up
    del dropped["condition_steps"][1]
    bad = verify_document(_resealed(dropped))
    assert not bad["ok"] and bad["field"] == "H.conditions[K1].action"

    claimed = copy.deepcopy(done)                      # status claimed without the steps
    claimed["condition_steps"] = claimed["condition_steps"][:1]
    claimed["condition_status"][0]["status"] = "accepted"
    bad = verify_document(_resealed(claimed))
    assert not bad["ok"] and bad["field"] == "condition_status[K1]" and bad["reason_key"] == "review.verify.record_changed"

    stripped = copy.deepcopy(done)                     # a /2 export without its history is not an export
    del stripped["condition_steps"]
    assert verify_document(_resealed(stripped))["reason_key"] == "review.verify.not_an_export"

    old = {k: v for k, v in copy.deepcopy(done).items()  # exports made before /2 still verify
           if k not in ("condition_steps", "conditions_as_of", "condition_status", "export_sha256")}
    old["format"] = "sandbox-signoff-export/1"
    assert verify_document(_resealed(old))["ok"]
    assert "条件进展" not in to_markdown(_resealed(old))
    assert json.loads(canonical(done))["condition_status"][0]["id"] == "K1"
