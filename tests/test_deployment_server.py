"""The production recipe of README 部署 / Deployment, on real servers started on 127.0.0.1.

PostgreSQL for the sandbox and for MLflow, ``mlflow server`` with its
artifacts outside the data home, the sandbox configured only through the
documented variables. From an empty start: ``sandbox init``, one CLI journey
(submit → audit → release → review → sign), ``sandbox backup``, a restore
into a second pair of databases, and ``sandbox verify --all`` on both.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests._servers import mlflow_server, postgres_server

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[1]
ADMIN_PW = "city-admin-pw-1"
PW = "member-pw-2027"
COMMITTEE = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]


def _databases(base: str, *names: str) -> dict[str, str]:
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return {name: base.rsplit("/", 1)[0] + f"/{name}" for name in names}


def _use(env: dict[str, str]) -> None:
    """This process now runs with exactly these deployment variables."""
    from sandbox.i18n import set_language
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    for name in ("SANDBOX_HOME", "SANDBOX_DB_URL", "MLFLOW_TRACKING_URI", "MLFLOW_BACKEND_STORE_URI",
                 "MLFLOW_ARTIFACTS_DESTINATION"):
        os.environ.pop(name, None)
    os.environ.update(env)
    reset_settings_cache()
    reset_engines()
    set_language(None)


def _cli(*args: str, user: str | None = None, password: str = PW, stdin: str | None = None,
         codes: tuple[int, ...] = (0,)) -> Any:
    from sandbox.cli import app

    argv = ["--lang", "en", *args, "--json"] + (["--as", user, "--password", password] if user else [])
    result = CliRunner().invoke(app, argv, input=stdin, catch_exceptions=False)
    assert result.exit_code in codes, f"sandbox {' '.join(args)} as {user}: {result.exit_code}\n{result.stderr}"
    return json.loads(result.stdout)


def _real(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "MLFLOW_"))}
    return subprocess.run([sys.executable, "-m", "sandbox", *args], env={**clean, **env, "SANDBOX_PASSWORD": ADMIN_PW},
                          capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)


@pytest.fixture
def saved_env() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    reset_engines()
    reset_settings_cache()


def _journey(demo: Path, tmp: Path) -> str:
    """submit → audit → release → review → sign, as the people of a city would; returns the record id."""
    scenario = json.loads((demo / "scenario.json").read_text(encoding="utf-8"))
    submitted = _cli("models", "submit", str(demo / "model"), "--card", str(demo / "card.yaml"), user="vendor")
    ref, trial = f"{submitted['name']}/{submitted['version']}", str(submitted["trial_id"])
    _cli("audit", "run", "--model", ref, "--data", str(demo / "data.csv"), "--label", scenario["label"], "--age",
         scenario["age"], "--district", scenario["district"], "--replicates", "100", user="reviewer", codes=(0, 3, 4))
    _cli("models", "score", ref, "--data", str(demo / "data.csv"), user="reviewer")  # keeps a scores file in the home
    keys = tmp / "keys.yaml"
    keys.write_text(yaml.safe_dump({scenario["district"]: [d["name"] for d in scenario["districts"]]},
                                   allow_unicode=True), encoding="utf-8")
    _cli("release", "histogram", str(demo / "data.csv"), "--by", scenario["district"], "--epsilon", "0.5", "--keys",
         str(keys), "--dataset", "pension", user="steward")  # the demo charged data.csv to "pension"
    review = str(_cli("review", "open", trial, user="chair")["review_id"])
    _cli("review", "attend", review, "--present", ",".join(COMMITTEE), user="chair")
    from sandbox.review import CHECKLIST

    for item in CHECKLIST:
        _cli("review", "answer", review, item, "yes", "--explanation", "证据已核", user="reviewer")
    for member in COMMITTEE:
        _cli("review", "vote", review, "批准", user=member)
    record = _cli("review", "decide", review, "批准", "--reasons", "审计与隐私证据充分", user="chair")["record_id"]
    signed = _cli("review", "sign", record, "--meaning", "approved", user="chair", stdin=f"{PW}\n")
    assert signed["alias"]["status"] == "set"
    _cli("review", "sign", record, "--meaning", "reviewed", user="reviewer", stdin=f"{PW}\n")
    return record


def _score_paths(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT id, path FROM model_scores"))]
    engine.dispose()
    return rows


def _table_rows(url: str, table: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}")))
    engine.dispose()
    return rows


def test_production_recipe(demo_home_path: Path, tmp_path: Path, saved_env: None) -> None:
    from sandbox.demo.accounts import DEMO_VENDORS
    from sandbox.review import DEMO_COMMITTEE, DEMO_MEMBERS

    demo = demo_home_path / "demo" / "pension"
    owner = json.loads((demo / "scenario.json").read_text(encoding="utf-8"))["vendor"]
    vendor = next(v for v in DEMO_VENDORS if v["name"] == owner)
    with postgres_server() as base:
        urls = _databases(base, "sandbox1", "mlflow1", "sandbox2", "mlflow2")
        with mlflow_server(tmp_path / "mlflow1", backend=urls["mlflow1"], artifacts=tmp_path / "artifacts1") as ml:
            env1 = {"SANDBOX_HOME": str(tmp_path / "srv" / "sandbox"), "SANDBOX_DB_URL": urls["sandbox1"],
                    "MLFLOW_TRACKING_URI": ml, "MLFLOW_BACKEND_STORE_URI": urls["mlflow1"],
                    "MLFLOW_ARTIFACTS_DESTINATION": str(tmp_path / "artifacts1")}
            init = _real(env1, "init", "--admin", "boss", "--json")
            assert init.returncode == 0, init.stderr
            assert json.loads(init.stdout)["db"].startswith("postgresql")
            _use(env1)
            _cli("vendors", "add", vendor["name"], "--uscc", vendor["uscc"], user="boss", password=ADMIN_PW)
            people = [(u, "chair" if u == "chair" else "reviewer") for u in COMMITTEE] + [("steward", "steward")]
            for username, role in people:
                _cli("users", "add", username, "--role", role, "--new-password", PW, user="boss", password=ADMIN_PW)
            _cli("users", "add", "vendor", "--role", "vendor", "--vendor", vendor["name"], "--new-password", PW,
                 user="boss", password=ADMIN_PW)
            members = tmp_path / "committee.yaml"  # the members file a city admin writes (README)
            members.write_text(yaml.safe_dump({"members": [
                {**{k: v for k, v in m.items() if k != "is_chair"}, **({"chair": True} if m.get("is_chair") else {})}
                for m in DEMO_MEMBERS]}, allow_unicode=True, sort_keys=False), encoding="utf-8")
            created = _cli("committee", "create", DEMO_COMMITTEE, "--members", str(members), user="boss",
                        password=ADMIN_PW)
            assert created["members"] == 7
            record = _journey(demo, tmp_path)
            archive = tmp_path / "offsite" / "city.tar.gz"
            made = _real(env1, "backup", str(archive), "--json")
            assert made.returncode == 0, made.stderr
            summary = json.loads(made.stdout)
            assert summary["stores"] == {"sandbox": "postgresql", "mlflow": "postgresql"}
            users_before = _cli("users", "list", user="boss", password=ADMIN_PW)
        # the first deployment is gone; a second pair of databases and an empty artifact folder take its place
        (tmp_path / "srv" / "sandbox").rename(tmp_path / "srv" / "old-sandbox")
        new_home = tmp_path / "srv2" / "沙盒 数据"  # restored on another machine, into another folder
        env2 = {**env1, "SANDBOX_HOME": str(new_home), "SANDBOX_DB_URL": urls["sandbox2"],
                "MLFLOW_BACKEND_STORE_URI": urls["mlflow2"], "MLFLOW_ARTIFACTS_DESTINATION": str(tmp_path / "artifacts2")}
        restored = _real(env2, "restore", str(archive), "--json", "--owner", pwd.getpwuid(os.geteuid()).pw_name)
        assert restored.returncode == 0, restored.stderr
        result = json.loads(restored.stdout)
        assert result["ok"] and result["chain_heads"] == summary["chain_heads"]
        assert result["relocated"]["moves"] == [[env1["SANDBOX_HOME"], str(new_home)],
                                                [str(tmp_path / "artifacts1"), str(tmp_path / "artifacts2")]]
        scores = _score_paths(urls["sandbox2"])  # the audit's scoring and the explicit one
        assert len(scores) == 2 and result["relocated"]["changed"] == {"sandbox:model_scores.path": 2}
        assert all(Path(p).is_relative_to(new_home) and Path(p).is_file() for _, p in scores)
        for env in (env1, env2):
            verified = _real(env, "verify", "--all", "--json")
            assert verified.returncode == 0 and json.loads(verified.stdout)["signatures"] == 2, verified.stderr
        assert _table_rows(urls["sandbox1"], "review_entries") == _table_rows(urls["sandbox2"], "review_entries")
        assert _table_rows(urls["mlflow1"], "registered_model_aliases") == \
            _table_rows(urls["mlflow2"], "registered_model_aliases")
        assert sorted(p.name for p in (tmp_path / "artifacts2").rglob("*") if p.is_file()) == \
            sorted(p.name for p in (tmp_path / "artifacts1").rglob("*") if p.is_file())
        with mlflow_server(tmp_path / "mlflow2", backend=urls["mlflow2"], artifacts=tmp_path / "artifacts2") as ml2:
            _use({**env2, "MLFLOW_TRACKING_URI": ml2})
            assert _cli("users", "list", user="boss", password=ADMIN_PW) == users_before
            shown = _cli("models", "list", user="chair")
            assert any("approved" in m["aliases"] for m in shown)
            assert record.rsplit("-v", 1)[0] in json.dumps(_cli("review", "list", user="chair"), ensure_ascii=False)
