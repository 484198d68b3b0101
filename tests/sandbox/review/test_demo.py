"""The demo reviews: one completed and signed (养老), one under way (社会救助)."""

from __future__ import annotations

import pytest

from sandbox.review import list_records, list_reviews, verify_all


def _check(chair) -> None:  # type: ignore[no-untyped-def]
    by_domain = {r["domain"]: r for r in list_reviews(actor=chair)}
    assert by_domain["养老"]["status"] == "signed" and by_domain["养老"]["decision"] == "修改后批准"
    assert by_domain["社会救助"]["status"] == "open"
    records = list_records(actor=chair)
    assert len(records) == 1 and "chair:approved" in records[0]["signatures"]
    assert any(s.endswith(":acknowledged") for s in records[0]["signatures"])
    assert verify_all(actor=chair)["ok"]


def test_seed_demo_on_trials(seeded) -> None:  # type: ignore[no-untyped-def]
    _check(seeded.actor("chair"))


@pytest.mark.slow
def test_demo_world_reviews(demo_home) -> None:  # type: ignore[no-untyped-def]
    """The real demo world (shared session fixture): signed pension approval moved the MLflow alias."""
    from sandbox.users import actor_for

    chair = actor_for("chair")
    reviews = list_reviews(actor=chair)
    if not reviews:  # models.demo registered no trials in this build
        return
    _check(chair)
    service = pytest.importorskip("models.service")
    pension = next(r for r in reviews if r["domain"] == "养老")
    name, version = pension["model"].rsplit("/", 1)
    assert "approved" in service.show_model(actor=chair, name=name, version=version)["aliases"]
