"""Are MLflow's aliases the ones the sandbox set and the committee signed? (lists, show, transitions, verify).

MLflow (no login on a shared tracking server) is what a deployment loads ``models:/<name>@approved`` from; the
sandbox's own truth is the signed review records (which version was approved, its artifact sha256) and, for
``@trial``, the alias mirror it wrote itself. Each disagreement is one problem with a catalog key:

- ``models.alias.approved_moved``: ``@approved`` points at another version than the signed record approved;
- ``models.alias.approved_unsigned``: ``@approved`` points at a version although no signed record approves one;
- ``models.alias.approved_content``: the version is right but MLflow's version is not the artifact the
  committee saw (its ``sha256`` tag differs from the record's, or its run/source from the one registered);
- ``models.alias.trial_moved``: ``@trial`` points elsewhere than the sandbox set it.

An alias that is absent is never a problem (nothing is served). Only models the sandbox registered are checked.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import select

from models._live_aliases import AliasesUnreadable, live_aliases
from models._tables import ModelVersion
from models.aliases import alias_map
from sandbox.settings import get_settings
from sandbox.store import session_scope

__all__ = ["alias_check", "alias_problem_text"]


def _signed(names: set[str]) -> dict[str, dict[str, Any]]:
    review = importlib.import_module("sandbox.review")
    return review.signed_approvals(names)


def _problem(kind: str, name: str, alias: str, **params: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "alias": alias,
        "key": f"models.alias.{kind}",
        "params": {
            "name": name,
            "alias": alias,
            **{k: "" if v is None else str(v) for k, v in params.items()},
        },
    }


def _approved(
    name: str, live: dict[str, str], signed: dict[str, Any] | None, row: ModelVersion | None
) -> dict[str, Any] | None:
    version = live["version"]
    if signed is None or signed.get("version") is None:
        return _problem(
            "approved_unsigned",
            name,
            "approved",
            mlflow_version=version,
            record=(signed or {}).get("record_id") or "-",
        )
    if version != signed["version"]:
        return _problem(
            "approved_moved",
            name,
            "approved",
            mlflow_version=version,
            expected_version=signed["version"],
            record=signed["record_id"],
        )
    changed = (
        (signed.get("sha256") and live["sha256"] != signed["sha256"])
        or row is None
        or live["source"] != (row.source or "")
        or live["run_id"] != (row.run_id or "")
    )
    if changed:
        return _problem(
            "approved_content",
            name,
            "approved",
            mlflow_version=version,
            record=signed["record_id"],
            mlflow_sha256=live["sha256"] or "-",
            expected_sha256=signed.get("sha256") or "-",
            mlflow_source=live["source"] or "-",
            expected_source=(row.source if row else "-") or "-",
        )
    return None


def alias_check(names: set[str] | None = None) -> dict[str, Any]:
    """Compare MLflow's aliases now with the signed records (``approved``) and the mirror (``trial``).

    Parameters
    ----------
    names : set of str, optional
        Registered models to check (default: every model the sandbox registered).

    Returns
    -------
    dict
        ``checked`` (False when MLflow could not be read; ``reason`` says why), ``problems`` (list of
        ``{kind, name, alias, key, params}``) and ``aliases`` (name → alias → version, as MLflow has them).
    """
    with session_scope() as s:
        query = select(ModelVersion)
        if names is not None:
            query = query.where(ModelVersion.registered_name.in_(sorted(names)))
        rows = {(r.registered_name, r.version): r for r in s.scalars(query)}
        known = {name for name, _ in rows}
        mirror = alias_map(s, known) if known else {}
    if not known:
        return {"checked": True, "reason": None, "problems": [], "aliases": {}}
    try:
        live = live_aliases(get_settings().mlflow_tracking_uri, known)
    except AliasesUnreadable as exc:
        return {"checked": False, "reason": str(exc), "problems": [], "aliases": {}}
    signed = _signed(known)
    problems: list[dict[str, Any]] = []
    for name in sorted(known):
        aliases = live.get(name, {})
        if "approved" in aliases:
            found = _approved(
                name, aliases["approved"], signed.get(name), rows.get((name, aliases["approved"]["version"]))
            )
            if found is not None:
                problems.append(found)
        if "trial" in aliases and aliases["trial"]["version"] != mirror.get(name, {}).get("trial"):
            problems.append(
                _problem(
                    "trial_moved",
                    name,
                    "trial",
                    mlflow_version=aliases["trial"]["version"],
                    expected_version=mirror.get(name, {}).get("trial") or "-",
                )
            )
    return {
        "checked": True,
        "reason": None,
        "problems": problems,
        "aliases": {n: {a: v["version"] for a, v in al.items()} for n, al in live.items()},
    }


def alias_problem_text(problem: dict[str, Any], lang: str | None = None) -> str:
    """One problem in the user's language."""
    from sandbox.i18n import t

    return t(problem["key"], lang, **problem["params"])
