"""The budget ledger: refuses before noise, parallel composition, restart, 8-process race."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from privacy.dp import dp_histogram
from privacy.ledger import BudgetLedger, budget_status, reserve, spent_within
from sandbox.errors import InputError, NotFoundError, PermissionDenied, RuleViolation
from sandbox.store import get_engine, session_scope
from tests.privacy.release_helpers import STEWARD, VENDOR, SpyRandomState, people

ROOT = Path(__file__).resolve().parents[2]


def _policy(tmp_path: Path, total: float) -> Path:
    path = tmp_path / f"budget-{total}.yaml"
    path.write_text(f"name: small\nversion: '2'\ndp: {{epsilon_total: {total}, delta_total: 0.0001}}\n"
                    "public_keys: {性别: [男, 女]}\n", encoding="utf-8")
    return path


def test_refuses_before_any_noise_is_drawn(home: Path, tmp_path: Path) -> None:
    ledger = BudgetLedger(actor=STEWARD, dataset="d1", policy=_policy(tmp_path, 1.0))
    frame = people(300)
    spy = SpyRandomState()
    dp_histogram(frame, ["性别", "年龄"], epsilon=0.8, accountant=ledger, random_state=spy)
    assert spy.draws > 0  # the spy sees draws when noise is drawn
    spy = SpyRandomState()
    with pytest.raises(RuleViolation) as err:
        dp_histogram(frame, ["性别", "年龄"], epsilon=0.3, accountant=ledger, random_state=spy)
    assert spy.draws == 0
    assert err.value.key == "privacy.err.budget_exceeded"
    assert err.value.render("zh") == (
        "数据集 d1 的隐私预算不足：本次需要 ε=0.3（δ=0），已用 ε=0.8，总额 ε=1，剩余 ε=0.2。"
        "本次查询被拒绝，未添加任何噪声，预算未变。请减小 ε 或改用不相交的数据子集。")
    status = budget_status(actor=STEWARD, dataset="d1")
    assert status["epsilon_spent"] == pytest.approx(0.8) and len(status["spends"]) == 1
    spend = status["spends"][0]
    assert spend["actor"] == "steward" and spend["role"] == "steward" and spend["query"] == "histogram"
    assert spend["at"] and spend["details"]["by"] == ["性别", "年龄"]


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "abc", None])
def test_bad_epsilon_changes_nothing(home: Path, bad: object) -> None:
    ledger = BudgetLedger(actor=STEWARD, dataset="d2")
    spy = SpyRandomState()
    with pytest.raises(InputError) as err:
        dp_histogram(people(50), ["性别"], epsilon=bad, accountant=ledger, random_state=spy)  # type: ignore[arg-type]
    assert err.value.key == "privacy.err.epsilon_invalid" and spy.draws == 0
    assert "greater than 0" in err.value.render("en")
    with pytest.raises(NotFoundError):
        budget_status(actor=STEWARD, dataset="d2")


def test_missing_keys_refused_before_spending(home: Path) -> None:
    ledger = BudgetLedger(actor=STEWARD, dataset="d3")
    with pytest.raises(InputError) as err:
        dp_histogram(people(50), ["街道镇"], epsilon=0.5, accountant=ledger)
    assert err.value.key == "privacy.err.keys_missing"
    assert budget_status(actor=STEWARD, dataset="d3", missing_ok=True)["exists"] is False


def test_parallel_composition_over_disjoint_groups(home: Path, tmp_path: Path) -> None:
    policy = _policy(tmp_path, 1.0)
    frame = people(300)
    ledger = BudgetLedger(actor=STEWARD, dataset="d4", policy=policy)
    # One histogram with many cells costs its ε once.
    dp_histogram(frame, ["性别", "年龄"], epsilon=0.6, accountant=ledger)
    assert budget_status(actor=STEWARD, dataset="d4")["epsilon_spent"] == pytest.approx(0.6)
    # Disjoint subsets compose in parallel: 0.4 on 青山湖街道 and 0.4 on 锦北街道 → worst case 1.0.
    for district in ("青山湖街道", "锦北街道"):
        dp_histogram(frame, ["性别"], epsilon=0.4, accountant=ledger, where={"街道镇": [district]})
    assert budget_status(actor=STEWARD, dataset="d4")["epsilon_spent"] == pytest.approx(1.0)
    # 太湖源镇 still has 0.4 left; 青山湖街道 has none.
    dp_histogram(frame, ["性别"], epsilon=0.4, accountant=ledger, where={"街道镇": ["太湖源镇"]})
    with pytest.raises(RuleViolation):
        dp_histogram(frame, ["性别"], epsilon=0.1, accountant=ledger, where={"街道镇": ["青山湖街道", "太湖源镇"]})


def test_spent_within_hand_worked() -> None:
    a = (0.5, 0.0, {"d": ["A"]})
    b = (0.3, 0.0, {"d": ["B"]})
    c = (0.2, 0.0, {"sex": ["M"]})
    assert spent_within([a, b]) == (0.5, 0.0)
    assert spent_within([a, b, c]) == (0.7, 0.0)  # a record in A who is M
    assert spent_within([a, b, c], {"d": ["B"]}) == (0.5, 0.0)
    assert spent_within([a, b, c], {"d": ["C"], "sex": ["F"]}) == (0.0, 0.0)


def test_vendor_cannot_spend(home: Path) -> None:
    with pytest.raises(PermissionDenied):
        reserve(actor=VENDOR, dataset="d5", epsilon=0.1, query="histogram")


def test_spends_are_append_only(home: Path) -> None:
    reserve(actor=STEWARD, dataset="d6", epsilon=0.1, query="histogram")
    with pytest.raises(Exception, match="append-only"), session_scope() as session:
        session.execute(text("UPDATE privacy_spends SET epsilon = 0"))
    assert budget_status(actor=STEWARD, dataset="d6")["epsilon_spent"] == pytest.approx(0.1)


def _race_child(home: str, dataset: str, epsilon: float, policy: str, go, lock, results) -> None:  # type: ignore[no-untyped-def]
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    os.environ["SANDBOX_HOME"] = home
    reset_settings_cache()
    reset_engines()  # a fresh engine and connection in this process
    with lock:  # opening the engine probes the data home with a fixed file name (a core race, reported)
        get_engine()
    actor = type(STEWARD)(user_id=1, username=f"steward-{os.getpid()}", display_name="s", role="steward")
    go.wait(60)
    try:
        results.put({"ok": reserve(actor=actor, dataset=dataset, epsilon=epsilon, query="race", policy=policy)})
    except RuleViolation as exc:
        results.put({"refused": exc.key})
    except Exception as exc:  # pragma: no cover - reported to the parent
        results.put({"error": repr(exc)})


_RESTART = """
import json, sys
from privacy.ledger import budget_status
from sandbox.roles import Actor
status = budget_status(actor=Actor(user_id=1, username="chair", display_name="c", role="chair"), dataset=sys.argv[1])
print(json.dumps({"spent": status["epsilon_spent"], "spends": len(status["spends"])}))
"""


@pytest.mark.slow
def test_eight_processes_never_overspend_and_restart_keeps_spends(home: Path, tmp_path: Path) -> None:
    import multiprocessing

    from sandbox.store import reset_engines

    get_engine()  # migrate once before the race
    reset_engines()  # no open connection is carried into the children
    policy = _policy(tmp_path, 1.0)
    ctx = multiprocessing.get_context("fork")  # children start at once, already imported
    go, lock, results = ctx.Event(), ctx.Lock(), ctx.Queue()
    procs = [ctx.Process(target=_race_child, args=(str(home), "race", 0.3, str(policy), go, lock, results))
             for _ in range(8)]
    for proc in procs:
        proc.start()
    time.sleep(0.3)
    go.set()
    outcome = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert sum("ok" in r for r in outcome) == 3, outcome  # 3 × 0.3 ≤ 1.0 < 4 × 0.3
    assert all(r.get("refused") == "privacy.err.budget_exceeded" for r in outcome if "ok" not in r), outcome
    status = budget_status(actor=STEWARD, dataset="race")
    assert status["epsilon_spent"] == pytest.approx(0.9) and len(status["spends"]) == 3
    assert len({s["actor"] for s in status["spends"]}) == 3
    # Restart: a brand-new interpreter reads the same committed spends.
    env = {**os.environ, "SANDBOX_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _RESTART, "race"], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"spent": pytest.approx(0.9), "spends": 3}


def test_budget_row_uses_policy_totals(home: Path, tmp_path: Path) -> None:
    reserve(actor=STEWARD, dataset="d7", epsilon=0.25, query="histogram", policy=_policy(tmp_path, 2.0))
    status = budget_status(actor=STEWARD, dataset="d7")
    assert (status["epsilon_total"], status["delta_total"], status["policy"]) == (2.0, 0.0001, "small@2")
    assert status["epsilon_remaining"] == pytest.approx(1.75)
    np.testing.assert_allclose(status["delta_spent"], 0.0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_same_file_under_another_dataset_name_is_refused_before_any_noise(home: Path, tmp_path: Path,
                                                                               lang: str) -> None:
    """A new dataset name opened a fresh ε for the same file: one file is charged to one budget only."""
    from privacy.release import release_histogram

    first = tmp_path / "低保.csv"
    people(300).to_csv(first, index=False)
    done = release_histogram(actor=STEWARD, source=first, by=["性别"], epsilon=1.0, dataset=f"低保{lang}",
                             keys={"性别": ["男", "女"]}, random_state=1)
    assert done["dataset"] == f"低保{lang}"
    again = tmp_path / "低保-副本.csv"  # the same file uploaded again under another name
    again.write_bytes(first.read_bytes())
    spy = SpyRandomState()
    for source in (again, people(300)):  # a frame read from that file (the workbench) likewise
        with pytest.raises(RuleViolation) as err:
            release_histogram(actor=STEWARD, source=source, by=["性别"], epsilon=1.0, dataset=f"低保-新{lang}",
                              keys={"性别": ["男", "女"]}, random_state=spy, source_file=again)
        assert err.value.key == "privacy.err.source_charged_elsewhere" and spy.draws == 0
        assert f"低保{lang}" in err.value.render(lang)
    with pytest.raises(NotFoundError):
        budget_status(actor=STEWARD, dataset=f"低保-新{lang}")  # nothing recorded under the new name
    release_histogram(actor=STEWARD, source=again, by=["性别"], epsilon=1.0, dataset=f"低保{lang}",
                      keys={"性别": ["男", "女"]}, random_state=1)  # its own dataset: charged there
    assert budget_status(actor=STEWARD, dataset=f"低保{lang}")["epsilon_spent"] == pytest.approx(2.0)
