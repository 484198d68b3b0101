"""Trial lifecycle, approved alias, soft delete — rules hold in the service, MLflow follows the database."""

from __future__ import annotations

import pytest

from models import service
from models.registry import Registry
from sandbox.activity import recent_activity
from sandbox.errors import ConflictError, NotFoundError, PermissionDenied, RuleViolation
from tests.models.models_testkit import card


@pytest.fixture
def submitted(people, predictions_csv) -> dict:
    return service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=card())


def test_full_lifecycle_updates_tag_history_and_activity(people, submitted) -> None:
    trial, name = submitted["trial_id"], submitted["name"]
    service.transition_trial(actor=people["reviewer"], trial_id=trial, to_status="in_trial", note="开始试验")
    service.transition_trial(actor=people["reviewer"], trial_id=trial, to_status="under_review")
    service.transition_trial(actor=people["chair"], trial_id=trial, to_status="approved_with_conditions")
    shown = service.show_model(actor=people["vendor_a"], name=name)
    assert shown["trial_status"] == "approved_with_conditions"
    assert [e["to_status"] for e in shown["events"]] == ["submitted", "in_trial", "under_review",
                                                         "approved_with_conditions"]
    assert shown["events"][1]["note"] == "开始试验" and shown["events"][3]["actor"] == "chair"
    assert Registry().version_tags(name, "1")["trial_status"] == "approved_with_conditions"
    actions = [a["action"] for a in recent_activity(limit=10)]
    assert actions.count("trial.transition") == 3 and "models.submit" in actions


def test_illegal_transition_is_refused_with_allowed_list(people, submitted) -> None:
    with pytest.raises(RuleViolation) as info:
        service.transition_trial(actor=people["chair"], trial_id=submitted["trial_id"], to_status="approved")
    assert info.value.render("en") == (
        f"Trial {submitted['trial_id']} is submitted and cannot move to approved. "
        "Allowed next: in_trial, rejected, terminated."
    )
    assert Registry().version_tags(submitted["name"], "1")["trial_status"] == "submitted"


def test_decisions_need_chair_and_vendors_cannot_transition(people, submitted) -> None:
    trial = submitted["trial_id"]
    with pytest.raises(PermissionDenied):
        service.transition_trial(actor=people["vendor_a"], trial_id=trial, to_status="in_trial")
    with pytest.raises(PermissionDenied) as info:
        service.transition_trial(actor=people["reviewer"], trial_id=trial, to_status="rejected")
    assert info.value.key == "models.decision_needs_chair"
    with pytest.raises(NotFoundError):
        service.transition_trial(actor=people["chair"], trial_id=999, to_status="in_trial")


def test_approved_alias_checks_sha_and_suspension_removes_it(people, submitted) -> None:
    name, trial = submitted["name"], submitted["trial_id"]
    for status, who in (("in_trial", "reviewer"), ("under_review", "reviewer"), ("approved", "chair")):
        service.transition_trial(actor=people[who], trial_id=trial, to_status=status)
    with pytest.raises(ConflictError):
        service.set_approved_alias(name=name, version="1", sha256="0" * 64)
    service.set_approved_alias(name=name, version="1", sha256=submitted["sha256"])
    assert service.show_model(actor=people["reviewer"], name=name)["aliases"] == ["approved", "trial"]
    service.transition_trial(actor=people["chair"], trial_id=trial, to_status="suspended", note="投诉调查")
    assert service.show_model(actor=people["reviewer"], name=name)["aliases"] == ["trial"]
    service.set_approved_alias(name=name, version="1", sha256=submitted["sha256"])
    service.remove_approved_alias(name=name)
    assert Registry().version_by_alias(name, "approved") is None


def test_only_admin_deletes_and_deletion_is_soft_and_logged(people, submitted) -> None:
    name = submitted["name"]
    for who in ("vendor_a", "reviewer", "chair"):
        with pytest.raises(PermissionDenied):
            service.delete_version(actor=people[who], name=name, version="1")
    service.delete_version(actor=people["admin"], name=name, version="1", reason="重复提交")
    assert service.list_models(actor=people["reviewer"]) == []
    kept = service.list_models(actor=people["admin"], include_deleted=True)
    assert kept[0]["deleted"] is True
    assert Registry().version_tags(name, "1")["deleted"] == "true"      # still in MLflow, marked
    assert Registry().version_by_alias(name, "trial") is None
    assert recent_activity(limit=1)[0]["action"] == "models.delete"
