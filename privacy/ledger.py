"""The persistent, transactional privacy-budget ledger (in the sandbox database).

Each dataset has an ε (and δ) total, set by policy when the dataset is first
charged. A query's cost is checked and *reserved* — a committed spend row —
before any noise is drawn; a query that would overspend is refused with a
clear message and changes nothing.

Parallel composition: a spend may declare a *scope*, the subset of the
dataset it touches (``{"街道镇": ["北山街道"]}``; no scope = the whole
dataset). Queries on disjoint scopes compose in parallel; the charge against
the total is the largest sum of ε over any single record's possible position.
The cells of one histogram are disjoint groups, so a histogram costs its ε
once, not once per cell.

Serialisation: ``session_scope(immediate=True)`` (SQLite ``BEGIN IMMEDIATE``)
and ``SELECT … FOR UPDATE`` on the budget row elsewhere, so concurrent
processes never overspend. This is not diffprivlib's process-global
``BudgetAccountant``, which forgets everything on restart.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from privacy._tables import PrivacyBudget, PrivacySpend
from privacy.deid._policy import DeidPolicy, load_policy
from sandbox.activity import log_activity
from sandbox.errors import InputError, NotFoundError, RuleViolation
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope

__all__ = ["BudgetLedger", "budget_status", "check_epsilon", "precheck", "reserve", "spent_within"]

_OTHER = object()
_MAX_POINTS = 200_000
_TOL = 1e-9


def check_epsilon(epsilon: Any, delta: Any = 0.0) -> tuple[float, float]:
    """Validate ε > 0 and finite, 0 ≤ δ < 1; raise a clear InputError otherwise."""
    try:
        eps = float(epsilon)
    except (TypeError, ValueError):
        raise InputError("privacy.err.epsilon_invalid", epsilon=epsilon) from None
    if not math.isfinite(eps) or eps <= 0:
        raise InputError("privacy.err.epsilon_invalid", epsilon=epsilon)
    try:
        dlt = float(delta)
    except (TypeError, ValueError):
        raise InputError("privacy.err.delta_invalid", delta=delta) from None
    if not math.isfinite(dlt) or not 0 <= dlt < 1:
        raise InputError("privacy.err.delta_invalid", delta=delta)
    return eps, dlt


def _normalise_scope(scope: dict[str, Any] | None) -> dict[str, list[str]]:
    return {str(c): sorted({str(v) for v in vals}) for c, vals in (scope or {}).items()}


def spent_within(spends: list[tuple[float, float, dict[str, list[str]]]],
                 scope: dict[str, list[str]] | None = None) -> tuple[float, float]:
    """Worst-case (ε, δ) already spent on any record inside ``scope``.

    Each spend is ``(ε, δ, scope)``. Records are points of the product of the
    scope columns' values (plus "any other value"); a spend covers a point when
    the point lies in its scope. The answer is the largest total over points
    in ``scope``. Falls back to plain sequential composition (the sum) when
    the arrangement is too large to enumerate.
    """
    scope = scope or {}
    if not spends:
        return 0.0, 0.0
    columns = sorted({c for _, _, s in spends for c in s} | set(scope))
    axes: list[list[Any]] = []
    for column in columns:
        if column in scope:
            axes.append(list(scope[column]))
        else:
            listed = sorted({v for _, _, s in spends for v in s.get(column, [])})
            axes.append([*listed, _OTHER])
    if math.prod(len(a) for a in axes) > _MAX_POINTS:
        return sum(e for e, _, _ in spends), sum(d for _, d, _ in spends)
    sets = [(e, d, {c: set(v) for c, v in s.items()}) for e, d, s in spends]
    worst_e = worst_d = 0.0
    for point in itertools.product(*axes):
        where = dict(zip(columns, point, strict=True))
        eps = dlt = 0.0
        for e, d, s in sets:
            if all(where[c] in vals for c, vals in s.items()):
                eps += e
                dlt += d
        worst_e, worst_d = max(worst_e, eps), max(worst_d, dlt)
    return worst_e, worst_d


def _budget_row(session: Session, dataset: str, *, lock: bool) -> PrivacyBudget | None:
    query = select(PrivacyBudget).where(PrivacyBudget.dataset == dataset)
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is not None:
        return row
    # A ledger written before names were normalised may hold 低保２０２６ for 低保2026: the same budget.
    query = select(PrivacyBudget).order_by(PrivacyBudget.id)
    if lock:
        query = query.with_for_update()
    return next((r for r in session.scalars(query) if dataset_key(r.dataset) == dataset), None)


def _spends(session: Session, budget_id: int) -> list[PrivacySpend]:
    return list(session.scalars(select(PrivacySpend).where(PrivacySpend.budget_id == budget_id)
                                .order_by(PrivacySpend.id)))


_CJK_SPACE = re.compile(r"\s+(?=[\u2e80-\u9fff\uf900-\ufaff])|(?<=[\u2e80-\u9fff\uf900-\ufaff])\s+")


def dataset_key(dataset: str) -> str:
    """The ledger's name for a dataset: NFKC (full-width digits and letters, the ideographic space), runs of
    spaces as one, none next to a Chinese character — ``低保２０２６``, ``低保　2026`` and ``低保2026`` are one
    budget (each was a fresh ε before)."""
    text = " ".join(unicodedata.normalize("NFKC", dataset or "").split())
    return _CJK_SPACE.sub("", text)


def _charged_elsewhere(session: Session, name: str, source: str | None) -> str | None:
    """The other dataset whose ledger already holds a spend on the source file ``source`` (``sha256:…``)."""
    if not source:
        return None
    budgets = {b.id: b.dataset for b in session.scalars(select(PrivacyBudget))}
    for spend in session.scalars(select(PrivacySpend).order_by(PrivacySpend.id)):
        other = budgets.get(spend.budget_id)
        if (spend.details or {}).get("source_fingerprint") == source and other is not None \
                and dataset_key(other) != name:
            return other
    return None


def _refuse_elsewhere(session: Session, name: str, source: str | None) -> None:
    other = _charged_elsewhere(session, name, source)
    if other is not None:
        raise RuleViolation("privacy.err.source_charged_elsewhere", dataset=name, other=other)


def _population_kept(spends: list[PrivacySpend], source: str | None) -> bool:
    """Whether one of this budget's spends keeps the fingerprint of ``source`` already (once per file and budget)."""
    return source is not None and any((s.details or {}).get("source_fingerprint") == source
                                      and "population" in (s.details or {}) for s in spends)


def _population_check(session: Session, name: str, population: dict[str, Any] | None,
                      reason: str | None) -> dict[str, Any] | None:
    """Refuse the same people under another budget (:mod:`privacy._population`); a declared reason is recorded.

    Returns what goes in the spend's details: ``population_declared`` when the steward declared it.
    """
    if not population or not population.get("columns"):
        return None
    from privacy._population import population_elsewhere  # numpy/pandas: only once a source was read

    found = population_elsewhere(session, name, population)
    if found is None:
        return None
    other, share, column, other_column = found
    if not (reason or "").strip():
        raise RuleViolation("privacy.err.population_charged_elsewhere", dataset=name, other=other,
                            share=f"{share:.0%}", column=column, other_column=other_column)
    return {"other": other, "share": round(share, 3), "column": column, "other_column": other_column,
            "reason": reason.strip()[:500]}


def _check_dataset(dataset: str) -> str:
    name = dataset_key(dataset)
    if not name or len(name) > 200:
        raise InputError("privacy.err.dataset_name", dataset=dataset)
    return name


def _refuse_overspend(name: str, eps: float, dlt: float, spent_e: float, spent_d: float, total_e: float,
                      total_d: float) -> None:
    """Raise the refusal when (ε, δ) would overspend; ``budget_spent`` once nothing is left at all."""
    if spent_e + eps <= total_e + _TOL and spent_d + dlt <= total_d + _TOL:
        return
    params = {"dataset": name, "epsilon": f"{eps:g}", "delta": f"{dlt:g}", "spent": f"{spent_e:g}",
              "total": f"{total_e:g}", "remaining": f"{max(0.0, total_e - spent_e):g}"}
    if spent_e >= total_e - _TOL:
        raise RuleViolation("privacy.err.budget_spent", **params)
    raise RuleViolation("privacy.err.budget_exceeded", **params)


def precheck(*, actor: Actor, dataset: str, epsilon: float, delta: float = 0.0,
             scope: dict[str, Any] | None = None, source: str | None = None,
             population: dict[str, Any] | None = None, population_reason: str | None = None) -> None:
    """Refuse early (before reading data) a query the ledger would refuse; changes nothing.

    Read-only and advisory: :func:`reserve` repeats the check under the lock
    before any noise is drawn. A dataset never charged passes.
    """
    authorize(actor, "privacy.release")
    eps, dlt = check_epsilon(epsilon, delta)
    name = _check_dataset(dataset)
    with session_scope() as session:
        _refuse_elsewhere(session, name, source)
        _population_check(session, name, population, population_reason)
        budget = _budget_row(session, name, lock=False)
        if budget is None:
            return
        rows = _spends(session, budget.id)
        spent_e, spent_d = spent_within([(r.epsilon, r.delta, r.scope or {}) for r in rows], _normalise_scope(scope))
        _refuse_overspend(name, eps, dlt, spent_e, spent_d, budget.epsilon_total, budget.delta_total)


def reserve(*, actor: Actor, dataset: str, epsilon: float, delta: float = 0.0, query: str,
            scope: dict[str, Any] | None = None, details: dict[str, Any] | None = None,
            policy: str | DeidPolicy = "default", source: str | None = None,
            population: dict[str, Any] | None = None, population_reason: str | None = None) -> int:
    """Check and record a spend in one serialised transaction; return its id.

    Call this *before* drawing any noise. The budget row is created on first
    use with the policy's ε/δ totals.

    Raises
    ------
    InputError
        ε ≤ 0 / NaN, δ outside [0, 1), bad dataset name.
    RuleViolation
        ``privacy.err.budget_exceeded`` — nothing is recorded; ``privacy.err.population_charged_elsewhere``
        when ``population`` (the source's fingerprint) is the people of another dataset's budget and no
        ``population_reason`` is declared.
    """
    authorize(actor, "privacy.release")
    eps, dlt = check_epsilon(epsilon, delta)
    name = _check_dataset(dataset)
    rules = load_policy(policy)
    norm = _normalise_scope(scope)
    for attempt in range(2):
        try:
            with session_scope(immediate=True) as session:
                _refuse_elsewhere(session, name, source)
                declared = _population_check(session, name, population, population_reason)
                budget = _budget_row(session, name, lock=True)
                if budget is None:
                    budget = PrivacyBudget(dataset=name, epsilon_total=rules.dp.epsilon_total,
                                           delta_total=rules.dp.delta_total, policy=rules.ref,
                                           created_by=actor.username)
                    session.add(budget)
                    session.flush()
                rows = _spends(session, budget.id)
                spent_e, spent_d = spent_within([(r.epsilon, r.delta, r.scope or {}) for r in rows], norm)
                _refuse_overspend(name, eps, dlt, spent_e, spent_d, budget.epsilon_total, budget.delta_total)
                extra: dict[str, Any] = {"source_fingerprint": source} if source else {}
                if population and population.get("columns") and not _population_kept(rows, source):
                    extra["population"] = population
                if declared:
                    extra["population_declared"] = declared
                spend = PrivacySpend(budget_id=budget.id, epsilon=eps, delta=dlt, query=query[:64], scope=norm,
                                     details={**(details or {}), **extra}, actor=actor.username, role=actor.role)
                session.add(spend)
                session.flush()
                log_activity(session, actor, "privacy.budget_spend", name, epsilon=eps, delta=dlt,
                             query=query, spend_id=spend.id)
                if declared:
                    log_activity(session, actor, "privacy.population_declared", name, **declared)
                return int(spend.id)
        except IntegrityError:  # two first uses created the budget row at once (not on SQLite)
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class BudgetLedger:
    """The accountant handed to the DP functions: one dataset's ledger for one actor.

    Unlike diffprivlib's ``BudgetAccountant`` it keeps nothing in memory: every
    :meth:`reserve` is a serialised database transaction.
    """

    def __init__(self, *, actor: Actor, dataset: str, policy: str | DeidPolicy = "default",
                 source: str | None = None, population: dict[str, Any] | None = None,
                 population_reason: str | None = None) -> None:
        self.actor = actor
        self.dataset = _check_dataset(dataset)
        self.policy = load_policy(policy)
        self.source = source  # "sha256:<file>": one file is charged to one dataset's budget only
        self.population = population  # the source's people (privacy._population): one population, one budget
        self.population_reason = population_reason  # the steward's declaration that these are other people

    def reserve(self, *, epsilon: float, delta: float = 0.0, query: str,
                scope: dict[str, Any] | None = None, details: dict[str, Any] | None = None) -> int:
        return reserve(actor=self.actor, dataset=self.dataset, epsilon=epsilon, delta=delta, query=query,
                       scope=scope, details=details, policy=self.policy, source=self.source,
                       population=self.population, population_reason=self.population_reason)

    def precheck(self, *, epsilon: float, delta: float = 0.0, scope: dict[str, Any] | None = None) -> None:
        precheck(actor=self.actor, dataset=self.dataset, epsilon=epsilon, delta=delta, scope=scope,
                 source=self.source, population=self.population, population_reason=self.population_reason)

    def status(self) -> dict[str, Any]:
        return budget_status(actor=self.actor, dataset=self.dataset, policy=self.policy, missing_ok=True)


def _shown(details: dict[str, Any] | None) -> dict[str, Any]:
    """A spend's details as shown: a population fingerprint by its columns and sizes (its sketches are ~44 KB
    of hashes per column, of use to the ledger only)."""
    details = dict(details or {})
    if isinstance(details.get("population"), dict):
        details["population"] = {"columns": [{"column": c.get("column"), "distinct": c.get("distinct")}
                                             for c in details["population"].get("columns") or []]}
    return details


def budget_status(*, actor: Actor, dataset: str, policy: str | DeidPolicy = "default",
                  missing_ok: bool = False) -> dict[str, Any]:
    """Totals, worst-case spent, remaining, and every spend (who, what, when).

    A dataset never charged raises ``NotFoundError`` unless ``missing_ok``, in
    which case the policy's totals are shown with nothing spent.
    """
    authorize(actor, "privacy.budget")
    name = _check_dataset(dataset)
    with session_scope() as session:
        budget = _budget_row(session, name, lock=False)
        if budget is None:
            if not missing_ok:
                raise NotFoundError("privacy.err.budget_unknown", dataset=name)
            rules = load_policy(policy)
            return {"dataset": name, "policy": rules.ref, "exists": False,
                    "epsilon_total": rules.dp.epsilon_total, "delta_total": rules.dp.delta_total,
                    "epsilon_spent": 0.0, "delta_spent": 0.0, "epsilon_remaining": rules.dp.epsilon_total,
                    "delta_remaining": rules.dp.delta_total, "spends": []}
        rows = _spends(session, budget.id)
        spent_e, spent_d = spent_within([(r.epsilon, r.delta, r.scope or {}) for r in rows])
        return {
            "dataset": name, "policy": budget.policy, "exists": True,
            "epsilon_total": budget.epsilon_total, "delta_total": budget.delta_total,
            "epsilon_spent": spent_e, "delta_spent": spent_d,
            "epsilon_remaining": max(0.0, budget.epsilon_total - spent_e),
            "delta_remaining": max(0.0, budget.delta_total - spent_d),
            "spends": [{"id": r.id, "at": r.at.isoformat(timespec="seconds") if r.at else "",
                        "actor": r.actor, "role": r.role, "query": r.query, "epsilon": r.epsilon,
                        "delta": r.delta, "scope": r.scope, "details": _shown(r.details)} for r in rows],
        }
