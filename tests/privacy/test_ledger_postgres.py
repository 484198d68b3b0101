"""The budget ledger on a real PostgreSQL server: ``SELECT … FOR UPDATE`` under a multi-process race."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from privacy._tables import PrivacyBudget, PrivacySpend
from privacy.ledger import budget_status, reserve
from sandbox.errors import RuleViolation
from sandbox.settings import reset_settings_cache
from sandbox.store import get_engine, reset_engines, session_scope
from tests._servers import postgres_server
from tests.privacy.release_helpers import STEWARD

pytestmark = [pytest.mark.server, pytest.mark.slow]

WORKERS = 6
STEP = 0.1
TOTAL = 1.0


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """One throw-away PostgreSQL cluster for this module."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def on_postgres(home: Path, pg_url: str) -> Iterator[str]:
    """Point the sandbox store at the server (migrated) for one test."""
    os.environ["SANDBOX_DB_URL"] = pg_url
    reset_settings_cache()
    reset_engines()
    try:
        assert get_engine().dialect.name == "postgresql"
        yield pg_url
    finally:
        os.environ.pop("SANDBOX_DB_URL", None)
        reset_engines()
        reset_settings_cache()


def _policy(tmp_path: Path) -> Path:
    policy = tmp_path / "pg-budget.yaml"
    policy.write_text(f"name: pg\nversion: '1'\ndp: {{epsilon_total: {TOTAL}, delta_total: 0.0001}}\n",
                      encoding="utf-8")
    return policy


def _spend_until_refused(dataset: str, policy: str, go, lock, results) -> None:  # type: ignore[no-untyped-def]
    """One process: reserve ε=STEP on ``dataset`` again and again until the ledger refuses."""
    reset_settings_cache()
    reset_engines()  # its own engine and connections (SANDBOX_DB_URL is inherited)
    with lock:
        get_engine()
    actor = type(STEWARD)(user_id=1, username=f"steward-{os.getpid()}", display_name="s", role="steward")
    ok: list[int] = []
    go.wait(60)
    try:
        while True:
            ok.append(reserve(actor=actor, dataset=dataset, epsilon=STEP, query="race", policy=policy))
    except RuleViolation as exc:
        results.put({"ok": ok, "refused": exc.key})
    except Exception as exc:  # pragma: no cover - reported to the parent
        results.put({"ok": ok, "error": repr(exc)})


def test_processes_racing_on_postgres_spend_exactly_the_budget(on_postgres: str, tmp_path: Path) -> None:
    import multiprocessing

    policy = _policy(tmp_path)
    reset_engines()  # no open connection is carried into the children
    ctx = multiprocessing.get_context("fork")
    go, lock, results = ctx.Event(), ctx.Lock(), ctx.Queue()
    # No budget row yet: the first reservations also race to create it (unique dataset name).
    procs = [ctx.Process(target=_spend_until_refused, args=("pg-race", str(policy), go, lock, results))
             for _ in range(WORKERS)]
    for proc in procs:
        proc.start()
    time.sleep(0.5)
    go.set()
    outcome = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert not [r for r in outcome if "error" in r], outcome
    assert {r["refused"] for r in outcome} == {"privacy.err.budget_spent"}, outcome
    granted = [spend for r in outcome for spend in r["ok"]]
    expected = round(TOTAL / STEP)  # 10 × 0.1 = 1.0; an 11th would overspend
    assert len(granted) == len(set(granted)) == expected, outcome
    reset_engines()
    with session_scope() as session:  # independent of the ledger's own arithmetic
        rows = session.execute(text(
            "SELECT count(*), sum(s.epsilon), count(DISTINCT b.id) FROM privacy_spends s "
            "JOIN privacy_budgets b ON b.id = s.budget_id WHERE b.dataset = 'pg-race'")).one()
    assert rows[0] == expected and rows[1] == pytest.approx(TOTAL) and rows[1] <= TOTAL + 1e-9
    assert rows[2] == 1  # one budget row, however many processes raced to create it
    status = budget_status(actor=STEWARD, dataset="pg-race")
    assert status["epsilon_remaining"] == pytest.approx(0.0)
    assert len({s["actor"] for s in status["spends"]}) > 1  # the spends came from several processes


def _lock_waiters() -> int:
    with session_scope() as session:
        return int(session.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )).scalar_one())


def test_reserve_waits_for_a_concurrent_spend_and_then_refuses(on_postgres: str, tmp_path: Path) -> None:
    """The worst interleaving, forced: a spend of all that is left is uncommitted while another reserve runs.

    Without ``FOR UPDATE`` the second reserve reads the budget before the
    first commits and overspends; with it, it waits on the row lock, then sees
    the spend and refuses. The test waits until the reserve has either
    finished or is seen waiting on a lock in ``pg_stat_activity`` — no timing.
    """
    policy = str(_policy(tmp_path))
    reserve(actor=STEWARD, dataset="pg-held", epsilon=0.4, query="first", policy=policy)
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            outcome["ok"] = reserve(actor=STEWARD, dataset="pg-held", epsilon=0.3, query="second", policy=policy)
        except RuleViolation as exc:
            outcome["refused"] = exc.key

    with session_scope() as holder:  # one transaction that spends the remaining 0.6, not yet committed
        budget = holder.scalars(select(PrivacyBudget).where(PrivacyBudget.dataset == "pg-held")
                                .with_for_update()).one()
        holder.add(PrivacySpend(budget_id=budget.id, epsilon=TOTAL - 0.4, delta=0.0, query="holder", scope={},
                                details={}, actor="holder", role="steward"))
        holder.flush()
        worker = threading.Thread(target=second)
        worker.start()
        deadline = time.monotonic() + 120  # a hang guard, not a measurement
        while worker.is_alive() and _lock_waiters() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        blocked = worker.is_alive()
    worker.join(120)
    assert blocked, f"the second reserve did not wait for the uncommitted spend: {outcome}"
    assert outcome == {"refused": "privacy.err.budget_spent"}
    status = budget_status(actor=STEWARD, dataset="pg-held")
    assert [s["query"] for s in status["spends"]] == ["first", "holder"]
    assert status["epsilon_spent"] == pytest.approx(TOTAL)
