"""The sandbox as policy: fail closed, the weak development mode marked everywhere, limits from settings,
honest numbers unchanged, hostile submissions and scorings leave registry and database consistent."""

from __future__ import annotations

import json
import os
import pathlib
import stat
from pathlib import Path

import numpy as np
import pytest
import yaml
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from models import service
from models._tables import ModelScore
from models.isolation import Limits, predict_isolated, predict_onnx_isolated
from models.registry import Registry
from sandbox.cli import app
from sandbox.errors import ConfigError, InputError
from sandbox.settings import ModelSandboxPolicy, _read_settings, get_settings, reset_settings_cache
from sandbox.store import session_scope
from tests.models.hostile_models import hostile_frame, save_hostile_pyfunc
from tests.models.models_testkit import FEATURES, PASSWORD, card, copy_model, make_data
from tests.models.test_models_intake import assert_consistent

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def no_bwrap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """bubblewrap 'not installed': SANDBOX_BWRAP names a program that does not exist."""
    monkeypatch.setenv("SANDBOX_BWRAP", str(tmp_path / "no-such-bwrap"))
    reset_settings_cache()
    yield
    monkeypatch.delenv("SANDBOX_BWRAP")
    reset_settings_cache()


def test_limits_come_from_settings_with_safe_defaults(tmp_path) -> None:
    assert _read_settings({"SANDBOX_HOME": str(tmp_path)}).model_sandbox == ModelSandboxPolicy()
    policy = _read_settings({"SANDBOX_HOME": str(tmp_path), "SANDBOX_MODEL_MEMORY_MB": "2048",
                             "SANDBOX_MODEL_OUTPUT_MB": "64", "SANDBOX_ALLOW_WEAK_ISOLATION": "1"}).model_sandbox
    assert (policy.memory_mb, policy.output_mb, policy.allow_weak_isolation) == (2048, 64, True)
    assert ModelSandboxPolicy().allow_weak_isolation is False
    with pytest.raises(ConfigError) as info:
        _read_settings({"SANDBOX_HOME": str(tmp_path), "SANDBOX_MODEL_CPU_SECONDS": "-5"})
    assert info.value.params["name"] == "SANDBOX_MODEL_CPU_SECONDS"


def test_fail_closed_without_bubblewrap(people, model_dir, no_bwrap, tmp_path) -> None:
    with pytest.raises(ConfigError) as info:
        predict_isolated(model_dir, make_data(3)[FEATURES])
    assert info.value.key == "models.sandbox_unavailable" and info.value.params["missing"] == "bwrap"
    assert "apt-get install bubblewrap" in info.value.render("en") and "make install" in info.value.render("zh")
    with pytest.raises(ConfigError):
        service.submit_model(actor=people["vendor_a"], artifact=copy_model(model_dir, tmp_path / "m"), card=card())
    assert_consistent(0)
    assert service.model_sandbox(actor=people["reviewer"])["mode"] == "unavailable"


def test_weak_mode_is_marked_in_every_result(people, model_dir, no_bwrap, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SANDBOX_ALLOW_WEAK_ISOLATION", "1")
    reset_settings_cache()
    out = predict_isolated(model_dir, make_data(3)[FEATURES])
    assert out.attrs["isolation"] == "weak"
    card_file = tmp_path / "card.yaml"
    card_file.write_text(yaml.safe_dump(card(), allow_unicode=True), encoding="utf-8")
    submitted = runner.invoke(app, ["models", "submit", str(copy_model(model_dir, tmp_path / "m")), "--card",
                                    str(card_file), "--as", "vendor_a", "--json"], env={"SANDBOX_PASSWORD": PASSWORD})
    assert submitted.exit_code == 0, submitted.output
    assert json.loads(submitted.stdout)["isolation"] == "weak" and "弱隔离" in submitted.stderr
    name = json.loads(submitted.stdout)["name"]
    assert Registry().version_tags(name, "1")["isolation"] == "weak"
    data = tmp_path / "audit.csv"
    make_data(20).to_csv(data, index=False, encoding="utf-8-sig")
    scored = runner.invoke(app, ["models", "score", f"{name}/1", "--data", str(data), "--as", "reviewer", "--json"],
                           env={"SANDBOX_PASSWORD": PASSWORD})
    assert scored.exit_code == 0, scored.output
    summary = json.loads(scored.stdout)
    assert summary["isolation"] == "weak" and "弱隔离" in scored.stderr
    assert Registry().client.get_run(summary["run_id"]).data.tags["isolation"] == "weak"
    at = AppTest.from_file(str(ROOT / "workbench_pages" / "model_registry.py"), default_timeout=120)
    at.session_state["actor"], at.session_state["lang"] = people["reviewer"], "en"
    at.run()
    assert not at.exception and "Weak isolation" in at.warning[0].value
    _audit_is_marked_weak(people, name, tmp_path)


def _audit_is_marked_weak(people: dict, name: str, tmp_path: Path) -> None:  # type: ignore[type-arg]
    """An audit that scored the model in weak mode says so: CLI stderr, --json, the stored report, the page."""
    from audits import show_audit

    data = tmp_path / "audit-districts.csv"
    make_data(60).assign(街道=["东城", "西城", "南城"] * 20).to_csv(data, index=False, encoding="utf-8-sig")
    audited = runner.invoke(app, ["audit", "run", "--model", f"{name}/1", "--data", str(data), "--label", "符合救助",
                                  "--age", "年龄", "--district", "街道", "--as", "reviewer", "--json"],
                            env={"SANDBOX_PASSWORD": PASSWORD})
    assert audited.exit_code in {0, 3, 4}, audited.output
    report = json.loads(audited.stdout)
    assert report["isolation"] == "weak" and "弱隔离" in audited.stderr
    stored = show_audit(actor=people["reviewer"], audit_id=report["audit_id"])
    assert stored["isolation"] == "weak"
    for lang, words in (("zh", "弱隔离"), ("en", "weak isolation")):
        page = AppTest.from_file(str(ROOT / "workbench_pages" / "fairness_audit.py"), default_timeout=120)
        page.session_state["actor"], page.session_state["lang"] = people["reviewer"], lang
        page.session_state["audit_result"] = stored
        page.run()
        assert not page.exception, page.exception
        warnings_shown = [w.value for w in page.warning if words in w.value]
        assert warnings_shown and f"{name}/1" in warnings_shown[0]


def test_registry_page_shows_the_sandbox_and_its_limits(people, monkeypatch) -> None:
    monkeypatch.setenv("SANDBOX_MODEL_MEMORY_MB", "3000")
    reset_settings_cache()
    at = AppTest.from_file(str(ROOT / "workbench_pages" / "model_registry.py"), default_timeout=120)
    at.session_state["actor"], at.session_state["lang"] = people["vendor_a"], "en"
    at.run()
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert not at.exception and "bubblewrap sandbox" in text and "memory 3000 MB" in text
    reset_settings_cache()


def test_honest_models_score_the_same_numbers(home, model_dir, onnx_file) -> None:
    import cloudpickle

    frame = make_data(300, seed=5)[FEATURES]
    model = cloudpickle.loads((model_dir / "model.pkl").read_bytes())   # our own, trusted test model
    out = predict_isolated(model_dir, frame)
    assert out.attrs["isolation"] == "bwrap"
    assert (out["预测"].to_numpy() == model.predict(frame)).all()
    # equal to the last bits: the child reads the frame back from Parquet, and a matrix of another memory layout
    # may be summed in another order (seen on a fresh machine: 34 of 300 scores differ by ≤ 4e-16)
    np.testing.assert_allclose(out["评分"].to_numpy(), model.predict_proba(frame)[:, 1], rtol=1e-12, atol=0)
    onnx = predict_onnx_isolated(onnx_file, frame.astype("float64"), feature_columns=FEATURES)
    assert (onnx["预测"].to_numpy() == model.predict(frame)).mean() > 0.98
    assert np.abs(onnx["评分"].to_numpy() - model.predict_proba(frame)[:, 1]).max() < 1e-3


class _Gadget:
    """Unpickling calls ``pathlib.Path(...).write_text`` — a module the static scan does not list."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (pathlib.Path(self.marker).write_text, ("written at unpickle time",))


def test_unpickle_gadget_from_an_unlisted_module(people, model_dir, tmp_path) -> None:
    import pickle

    marker = tmp_path / "gadget-wrote-this"
    bad = copy_model(model_dir, tmp_path / "gadget")
    (bad / "model.pkl").write_bytes(pickle.dumps(_Gadget(marker)))
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=bad, card=card())
    assert info.value.key == "models.child_failed" and info.value.params["stage"] == "load"
    assert "No such file" in info.value.params["reason"]
    assert not marker.exists()
    assert_consistent(0)


def test_model_hostile_only_when_scored_leaves_everything_consistent(people, home, tmp_path) -> None:
    """The issue's scenario: passes the smoke test at submission, turns hostile at ``sandbox models score``."""
    secrets = home / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    (secrets / "pseudonym.key").write_text("top-secret-hmac")
    model = save_hostile_pyfunc(tmp_path / "hostile")
    submitted = service.submit_model(actor=people["vendor_a"], artifact=model,
                                     card=card(input_features=["case", "target", "x"]))
    assert submitted["isolation"] == "bwrap"
    data = tmp_path / "audit.csv"
    hostile_frame("read", f"{secrets / 'pseudonym.key'}|{home / 'sandbox.db'}", rows=5).to_csv(data, index=False)
    result = runner.invoke(app, ["models", "score", f"{submitted['name']}/1", "--data", str(data), "--as",
                                 "reviewer"], env={"SANDBOX_PASSWORD": PASSWORD})
    assert result.exit_code == 1 and "top-secret-hmac" not in result.output
    assert "FileNotFoundError" in result.stderr
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ModelScore)) == 0
    assert_consistent(1)
    assert not list((home / "work").iterdir())
    out = predict_isolated(model, hostile_frame("honest", rows=2), limits=Limits(timeout_s=120))
    assert len(out) == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root-started product needs the sandbox user to read the model")
def test_as_root_a_model_the_sandbox_user_cannot_read_is_refused(people, model_dir, tmp_path) -> None:
    private = copy_model(model_dir, tmp_path / "private")
    private.chmod(0o700)
    with pytest.raises(InputError) as info:
        predict_isolated(private, make_data(3)[FEATURES], model_label="m/1")
    assert info.value.key == "models.sandbox_unreadable" and info.value.params["mode"] == "700"
    assert str(private) in info.value.render("en") and "uid 65534" in info.value.render("zh")
    assert not list((get_settings().work_dir).glob("isolated-*"))


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root-started product needs the sandbox user to read the model")
def test_as_root_a_private_vendor_folder_is_run_from_a_readable_copy(people, home, model_dir, tmp_path) -> None:
    """A vendor folder written with umask 077: the product's copy is opened to uid 65534, the original is not."""
    vendor = copy_model(model_dir, tmp_path / "vendor")
    paths = [vendor, *vendor.rglob("*")]
    for path in paths:
        path.chmod(0o700 if path.is_dir() else 0o600)
    result = service.submit_model(actor=people["vendor_a"], artifact=vendor, card=card())
    assert result["isolation"] == "bwrap"
    assert {stat.S_IMODE(p.stat().st_mode) for p in paths} == {0o700, 0o600}   # the vendor's files untouched
    assert_consistent(1)
    stored = [p for p in (home / "mlartifacts").rglob("*") if p.is_file()]
    assert any(p.name == "model.pkl" for p in stored)
    for path in stored:                         # an artifact store written with umask 077
        path.chmod(0o600)
    data = tmp_path / "audit.csv"
    make_data(5).to_csv(data, index=False, encoding="utf-8-sig")
    scored = runner.invoke(app, ["models", "score", f"{result['name']}/1", "--data", str(data), "--as", "reviewer"],
                           env={"SANDBOX_PASSWORD": PASSWORD})
    assert scored.exit_code == 0, scored.output
    assert {stat.S_IMODE(p.stat().st_mode) for p in stored} == {0o600}
