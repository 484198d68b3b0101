"""The chair's signature moves the trial to the signed decision's status (session 11).

Before, only the ``approved`` alias followed the signature: the trial stayed ``in_trial`` in
``sandbox models list`` and in MLflow's ``trial_status`` tag after the committee approved it.
"""

from __future__ import annotations

import pytest

from models.service import trial_events
from sandbox.review import sign_record, trial_line
from sandbox.store import session_scope
from sandbox.store.tables import Trial


def _status(trial_id: int) -> str:
    with session_scope() as s:
        return s.get(Trial, trial_id).status


def _set_status(trial_id: int, status: str) -> None:
    with session_scope() as s:
        s.get(Trial, trial_id).status = status


@pytest.mark.parametrize(("decision", "status"), [("修改后批准", "approved_with_conditions"),
                                                  ("批准", "approved"), ("不予批准", "rejected"),
                                                  ("修改后再审", "revise_and_resubmit")])
def test_the_chairs_signature_moves_the_trial_through_review_to_the_decision(world, decision: str,
                                                                             status: str) -> None:
    trial = world.trials["social"]
    record = world.to_decision(decision=decision)["record_id"]
    sign_record(actor=world.actor("reviewer"), record_id=record, password=world.password, meaning="reviewed")
    assert _status(trial) == "in_trial"  # a member's signature does not decide anything
    done = sign_record(actor=world.actor("chair"), record_id=record, password=world.password, meaning="approved")
    assert done["trial"] == {"status": "changed", "from": "in_trial", "to": status}
    assert _status(trial) == status
    events = trial_events(trial)
    assert [(e["from_status"], e["to_status"]) for e in events][-2:] == [("in_trial", "under_review"),
                                                                         ("under_review", status)]
    assert all(e["note"] == record for e in events[-2:])


def test_a_new_submission_reviewed_as_submitted_walks_the_lifecycle(world) -> None:
    """The journeys audit and review a new submission without moving it by hand: it was still `submitted`."""
    trial = world.trials["social"]
    record = world.to_decision(decision="批准")["record_id"]
    _set_status(trial, "submitted")
    done = sign_record(actor=world.actor("chair"), record_id=record, password=world.password, meaning="approved")
    assert done["trial"] == {"status": "changed", "from": "submitted", "to": "approved"} and _status(trial) == "approved"
    assert [e["to_status"] for e in trial_events(trial)][-3:] == ["in_trial", "under_review", "approved"]


def test_a_move_the_lifecycle_does_not_allow_is_said_and_the_signature_stands(world) -> None:
    trial = world.trials["social"]
    record = world.to_decision(decision="批准")["record_id"]
    _set_status(trial, "rejected")  # a rejected trial stays rejected: a new version is a new trial
    done = sign_record(actor=world.actor("chair"), record_id=record, password=world.password, meaning="approved")
    assert done["trial"] == {"status": "not_allowed", "current": "rejected", "target": "approved"}
    assert _status(trial) == "rejected" and done["signer"] == "chair"
    assert "不予批准" in trial_line(done["trial"], "zh") and "“批准”" in trial_line(done["trial"], "zh")
    assert "does not allow" in trial_line(done["trial"], "en") and "Rejected" in trial_line(done["trial"], "en")


def test_an_approved_trial_is_not_sent_back_through_review_by_a_second_approval(world) -> None:
    trial = world.trials["social"]
    record = world.to_decision(decision="批准")["record_id"]
    _set_status(trial, "approved_with_conditions")
    done = sign_record(actor=world.actor("chair"), record_id=record, password=world.password, meaning="approved")
    assert done["trial"]["to"] == "approved" and _status(trial) == "approved"  # a direct move: conditions met
    assert trial_line(done["trial"], "en") == "Trial status: Approved with conditions → Approved (follows the " \
                                              "signed decision)."
