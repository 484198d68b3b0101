"""Listing and showing read the database only: the alias mirror agrees with MLflow after every change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import service
from models.registry import Registry
from sandbox.settings import reset_settings_cache
from sandbox.store import reset_engines
from sandbox.users import actor_for
from tests.models.models_testkit import card


def _mlflow_aliases() -> dict[tuple[str, str], list[str]]:
    """(registered name, version) → sorted aliases, as MLflow itself reports them."""
    out: dict[tuple[str, str], list[str]] = {}
    for name, aliases in Registry().aliases().items():
        for alias, version in aliases.items():
            out.setdefault((name, version), []).append(alias)
    return {key: sorted(value) for key, value in out.items()}


def _listed(actor) -> dict[tuple[str, str], list[str]]:  # type: ignore[no-untyped-def]
    return {(r["name"], r["version"]): r["aliases"] for r in service.list_models(actor=actor) if r["aliases"]}


def _assert_agree(people) -> None:  # type: ignore[no-untyped-def]
    expected = _mlflow_aliases()
    assert _listed(people["admin"]) == expected
    for (name, version), aliases in expected.items():
        assert service.show_model(actor=people["reviewer"], name=name, version=version)["aliases"] == aliases


def test_aliases_from_the_database_match_mlflow_through_every_change(people, predictions_csv) -> None:
    first = service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=card())
    name = first["name"]
    _assert_agree(people)
    assert _mlflow_aliases() == {(name, "1"): ["trial"]}
    second = service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号",
                                  card=card(model_version="1.1.0"))
    _assert_agree(people)
    assert _mlflow_aliases() == {(name, "2"): ["trial"]}          # the trial alias moved to the new version
    for status, who in (("in_trial", "reviewer"), ("under_review", "reviewer"), ("approved", "chair")):
        service.transition_trial(actor=people[who], trial_id=first["trial_id"], to_status=status)
    service.set_approved_alias(name=name, version="1", sha256=first["sha256"])
    _assert_agree(people)
    assert _mlflow_aliases() == {(name, "1"): ["approved"], (name, "2"): ["trial"]}
    service.transition_trial(actor=people["chair"], trial_id=first["trial_id"], to_status="suspended")
    _assert_agree(people)
    assert _mlflow_aliases() == {(name, "2"): ["trial"]}
    service.delete_version(actor=people["admin"], name=name, version=second["version"])
    _assert_agree(people)
    assert _mlflow_aliases() == {}
    # a vendor still sees only its own organisation's versions
    assert {r["vendor"] for r in service.list_models(actor=people["vendor_a"])} == {first["vendor"]}
    assert service.list_models(actor=people["vendor_b"]) == []


def test_a_failed_mlflow_alias_change_leaves_the_mirror_unchanged(people, predictions_csv) -> None:
    submitted = service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=card())
    name = submitted["name"]
    for status, who in (("in_trial", "reviewer"), ("under_review", "reviewer"), ("approved", "chair")):
        service.transition_trial(actor=people[who], trial_id=submitted["trial_id"], to_status=status)
    registry = Registry()
    registry.client.delete_registered_model(name)                  # MLflow now refuses to set any alias
    with pytest.raises(Exception, match=name):
        service.set_approved_alias(name=name, version="1", sha256=submitted["sha256"])
    assert service.show_model(actor=people["reviewer"], name=name)["aliases"] == ["trial"]


def test_alias_changes_inside_the_callers_transaction_commit_with_it(people, predictions_csv) -> None:
    from sandbox.store import session_scope

    submitted = service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=card())
    name = submitted["name"]
    with session_scope(immediate=True) as session:               # e.g. the review area signing a record
        service.set_approved_alias(name=name, version="1", sha256=submitted["sha256"], session=session)
    _assert_agree(people)
    assert _mlflow_aliases() == {(name, "1"): ["approved", "trial"]}
    with session_scope(immediate=True) as session:
        service.remove_approved_alias(name=name, session=session)
    _assert_agree(people)
    assert _mlflow_aliases() == {(name, "1"): ["trial"]}


def test_a_database_from_before_the_mirror_gets_it_filled_from_mlflow(people, predictions_csv) -> None:
    from sqlalchemy import text

    from models import aliases
    from sandbox.store import get_engine

    submitted = service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=card())
    service.set_approved_alias(name=submitted["name"], version="1", sha256=submitted["sha256"])
    with get_engine().begin() as conn:  # a data home from before 0006: the upgrade made the table empty
        conn.execute(text("DELETE FROM model_aliases"))
    aliases._READY.clear()
    _assert_agree(people)
    assert _mlflow_aliases() == {(submitted["name"], "1"): ["approved", "trial"]}


def test_listing_works_with_mlflow_unreachable_and_links_to_the_server(people, predictions_csv, monkeypatch) -> None:
    submitted = service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=card())
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")   # nothing listens there
    reset_settings_cache()
    try:
        rows = service.list_models(actor=people["vendor_a"])
        shown = service.show_model(actor=people["vendor_a"], name=submitted["name"])
    finally:
        monkeypatch.delenv("MLFLOW_TRACKING_URI")
        reset_settings_cache()
    assert [(r["name"], r["aliases"]) for r in rows] == [(submitted["name"], ["trial"])]
    assert shown["mlflow_url"] == f"http://127.0.0.1:9/#/models/{submitted['name']}/versions/1"


def test_listing_a_demo_world_does_not_import_mlflow(demo_home: Path) -> None:
    code = (
        "import json, sys\n"
        "from models.service import list_models, show_model\n"
        "from sandbox.users import actor_for\n"
        "rows = list_models(actor=actor_for('admin'))\n"
        "show_model(actor=actor_for('reviewer'), name=rows[0]['name'], version=rows[0]['version'])\n"
        "print(json.dumps({'mlflow': 'mlflow' in sys.modules,\n"
        "                  'aliases': [[r['name'], r['version'], r['aliases']] for r in rows]}))\n"
    )
    env = {**os.environ, "SANDBOX_HOME": str(demo_home)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["mlflow"] is False
    reset_engines()
    expected = {f"{name}/{version}": aliases for (name, version), aliases in _mlflow_aliases().items()}
    assert {f"{n}/{v}": a for n, v, a in report["aliases"] if a} == expected
    assert len(report["aliases"]) == len(service.list_models(actor=actor_for("admin"))) == 4
