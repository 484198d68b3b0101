"""An alias moved outside the sandbox (MLflow's own client, no login on a shared server) is never trusted.

The committee approves v1 and the chair signs (the sandbox sets ``@approved``); then someone points
``@approved`` at v2 with ``mlflow.MlflowClient`` directly. Lists, show, the review, ``sandbox verify --all``
and a trial transition all compare MLflow with the signed record; the sandbox's own alias passes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models import service
from models.registry import Registry
from sandbox.demo.people import DEMO_PASSWORD
from sandbox.review import show_review, sign_record, verify_all, verify_message
from tests.sandbox.review.test_registry_link import _card, _review


def _client(uri: str | None = None):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    from sandbox.settings import get_settings

    uri = uri or get_settings().mlflow_tracking_uri
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _approved_world(world, tmp_path: Path) -> dict:  # type: ignore[no-untyped-def]
    """v1 and v2 submitted; v1 approved by a signed record (the sandbox set @approved on v1)."""
    predictions = tmp_path / "predictions.csv"
    made = {}
    for ver, label in (("1.0.0", "市场监管局"), ("1.1.0", "城管局")):
        predictions.write_text(
            "编号,预测\n" + "\n".join(f"{i},{label}" for i in range(1, 31)) + "\n", encoding="utf-8"
        )
        made[ver] = service.submit_model(
            actor=world.actor("vendor_a"), artifact=predictions, id_column="编号", card=_card(ver)
        )
    first = made["1.0.0"]
    decided = _review(world, first["trial_id"], "批准")
    sign_record(
        actor=world.actor("chair"),
        record_id=decided["record_id"],
        password=world.password,
        meaning="approved",
    )
    return {
        "name": first["name"],
        "trial_id": first["trial_id"],
        "review_id": _review_id(decided),
        "record_id": decided["record_id"],
        "sha256": first["sha256"],
    }


def _review_id(decided: dict) -> int:
    from sandbox.review import find_review

    return find_review(actor=_chair(), record_id=decided["record_id"])


def _chair():  # type: ignore[no-untyped-def]
    from sandbox.users import actor_for

    return actor_for("chair")


def _cli(*args: str, lang: str = "zh"):  # type: ignore[no-untyped-def]
    from sandbox.cli import app

    os.environ["SANDBOX_PASSWORD"] = DEMO_PASSWORD
    try:
        return CliRunner().invoke(app, ["--lang", lang, *args], catch_exceptions=False)
    finally:
        os.environ.pop("SANDBOX_PASSWORD", None)


def test_the_sandboxs_own_alias_passes_and_a_moved_one_is_refused_everywhere(world, tmp_path: Path) -> None:
    made = _approved_world(world, tmp_path)
    name = made["name"]
    chair = world.actor("chair")
    # the alias the sandbox set from the signed record: no problem anywhere
    assert all(r["alias_problems"] == [] and r["alias_checked"] for r in service.list_models(actor=chair))
    ok = verify_all(actor=None, aliases=True)
    assert ok["ok"] and ok["aliases_checked"] == 1, ok
    assert "MLflow" in verify_message(ok, "en")

    _client().set_registered_model_alias(name, "approved", "2")  # moved outside the sandbox

    rows = {r["version"]: r for r in service.list_models(actor=chair)}
    problem = rows["1"]["alias_problems"][0]
    assert (
        problem["kind"],
        problem["params"]["mlflow_version"],
        problem["params"]["expected_version"],
        problem["params"]["record"],
    ) == ("approved_moved", "2", "1", made["record_id"])
    assert service.show_model(actor=chair, name=name, version="2")["alias_problems"] == [problem]
    failed = verify_all(actor=None, aliases=True)
    assert not failed["ok"] and failed["reason_key"] == "review.verify.alias_disagrees"
    assert failed["record"] == made["record_id"] and failed["field"] == "@approved"
    assert verify_all(actor=None)["ok"]  # the chain itself is intact (what a restore checks)
    notices = show_review(actor=chair, review_id=made["review_id"])["notices"]
    assert [n["code"] for n in notices] == ["alias_approved_moved"]

    zh = _cli("verify", "--all")
    assert zh.exit_code == 3
    assert f"@approved 指向 v2，但已签署的审查记录 {made['record_id']} 批准的是 v1" in zh.stderr
    en = _cli("models", "list", "--as", "chair", lang="en")
    assert en.exit_code == 3
    assert (
        f"@approved of {name} points at v2, but the signed review record {made['record_id']} approved v1"
        in en.stderr
    )
    assert "point @approved back at v1" in en.stderr

    # the alias is put back where the record says: everything passes again
    _client().set_registered_model_alias(name, "approved", "1")
    assert verify_all(actor=None, aliases=True)["ok"]
    assert _cli("models", "list", "--as", "chair").exit_code == 0


def test_an_alias_without_a_signed_record_or_with_other_content_fails(world, tmp_path: Path) -> None:
    made = _approved_world(world, tmp_path)
    name = made["name"]
    client = _client()
    client.set_model_version_tag(
        name, "1", "sha256", "0" * 64
    )  # the version no longer says what was approved
    problems = service.show_model(actor=world.actor("chair"), name=name, version="1")["alias_problems"]
    assert [p["kind"] for p in problems] == ["approved_content"]
    assert problems[0]["params"]["expected_sha256"] == made["sha256"]
    client.set_model_version_tag(name, "1", "sha256", made["sha256"])
    client.set_registered_model_alias(name, "trial", "1")  # the sandbox set @trial on v2
    problems = service.list_models(actor=world.actor("chair"))[0]["alias_problems"]
    assert [
        (p["kind"], p["params"]["mlflow_version"], p["params"]["expected_version"]) for p in problems
    ] == [("trial_moved", "1", "2")]
    # a model no record approved: an @approved set in MLflow is unsigned
    predictions = tmp_path / "other.csv"
    predictions.write_text(
        "编号,预测\n" + "\n".join(f"{i},民政局" for i in range(1, 31)) + "\n", encoding="utf-8"
    )
    other = service.submit_model(
        actor=world.actor("vendor_a"),
        artifact=predictions,
        id_column="编号",
        card={**_card("1.0.0"), "model_name": "hotline-other"},
    )
    client.set_registered_model_alias(other["name"], "approved", "1")
    found = service.show_model(actor=world.actor("chair"), name=other["name"])["alias_problems"]
    assert [p["kind"] for p in found] == ["approved_unsigned"]


def test_leaving_the_approved_state_removes_the_alias_even_after_it_was_moved(world, tmp_path: Path) -> None:
    made = _approved_world(world, tmp_path)
    name = made["name"]
    chair = world.actor("chair")
    # the chair's signature moved the trial to approved (session 11: the trial follows the signed decision)
    assert service.show_model(actor=chair, name=name, version="1")["trial_status"] == "approved"
    _client().set_registered_model_alias(name, "approved", "2")
    done = service.transition_trial(actor=chair, trial_id=made["trial_id"], to_status="suspended")
    # before: MLflow's alias was asked alone, pointed at v2 ≠ v1, and stayed — v2 served as approved
    assert Registry().version_by_alias(name, "approved") is None
    assert done["alias_problems"] == []
    assert "approved" not in service.show_model(actor=chair, name=name, version="1")["aliases"]


def test_mlflow_unreachable_is_said_not_passed(world, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sandbox.settings import reset_settings_cache

    _approved_world(world, tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens there
    reset_settings_cache()
    try:
        rows = service.list_models(actor=world.actor("chair"))
        result = verify_all(actor=None, aliases=True)
    finally:
        monkeypatch.delenv("MLFLOW_TRACKING_URI")
        reset_settings_cache()
    assert rows[0]["alias_checked"] is False and rows[0]["alias_problems"] == []
    assert result["ok"] and result["aliases_unchecked"]
    assert "not checked" in verify_message(result, "en") and "未核对" in verify_message(result, "zh")


@pytest.mark.server
def test_a_moved_alias_on_a_real_mlflow_server(world, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sandbox.settings import reset_settings_cache
    from tests._servers import mlflow_server

    root = tmp_path / "server"
    with mlflow_server(root, backend=f"sqlite:///{root / 'server.db'}", artifacts=root / "artifacts") as url:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
        reset_settings_cache()
        try:
            made = _approved_world(world, tmp_path)
            assert verify_all(actor=None, aliases=True)["aliases_checked"] == 1
            _client(url).set_registered_model_alias(made["name"], "approved", "2")
            failed = verify_all(actor=None, aliases=True)
            rows = {r["version"]: r for r in service.list_models(actor=world.actor("reviewer"))}
        finally:
            monkeypatch.delenv("MLFLOW_TRACKING_URI")
            reset_settings_cache()
    assert not failed["ok"] and failed["alias_problems"][0]["kind"] == "approved_moved"
    assert rows["1"]["alias_problems"][0]["params"]["mlflow_version"] == "2"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_models_page_says_so(world, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    made = _approved_world(world, tmp_path)
    _client().set_registered_model_alias(made["name"], "approved", "2")
    page = Path(__file__).resolve().parents[3] / "workbench_pages" / "model_registry.py"
    at = AppTest.from_file(str(page), default_timeout=120)
    at.session_state["actor"] = world.actor("chair")
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    expected = {
        "zh": f"已签署的审查记录 {made['record_id']} 批准的是 v1",
        "en": f"signed review record {made['record_id']} approved v1",
    }
    assert len(errors) == 1 and expected[lang] in errors[0].replace("\\", ""), errors
