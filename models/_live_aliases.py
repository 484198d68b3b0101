"""What MLflow itself says the aliases are now (a private helper of :mod:`models.registry`).

The alias mirror (:mod:`models.aliases`) holds what the sandbox set; MLflow holds what a deployment loads
(``models:/<name>@approved``). A shared tracking server has no login: anyone who reaches it can move an alias
with MLflow's own client, and the mirror would not know. Every check of an alias therefore reads MLflow, here,
without importing mlflow (seconds on first use; lists and pages stay fast):

- a database store (``sqlite:///…``, ``postgresql://…``, ``mysql://…``): MLflow's own tables, read only
  (``registered_model_aliases``, ``model_versions``, ``model_version_tags`` — unchanged since MLflow 2.3);
- an ``mlflow server`` (``http(s)://…``): its REST API (``registered-models/search``, ``model-versions/get``)
  with a short timeout and the ``MLFLOW_TRACKING_TOKEN`` / ``_USERNAME`` / ``_PASSWORD`` the client would send;
- anything else: the MLflow client through :class:`models.registry.Registry`.

A store that cannot be read raises :class:`AliasesUnreadable` (the callers say "not checked", never "agrees").
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

__all__ = ["AliasesUnreadable", "live_aliases"]

TIMEOUT = 5.0


class AliasesUnreadable(Exception):
    """MLflow could not be asked (server down, store missing a table, …); ``str()`` says why."""


def _version_info(version: Any, source: Any, run_id: Any, sha256: Any) -> dict[str, str]:
    return {
        "version": str(version),
        "source": str(source or ""),
        "run_id": str(run_id or ""),
        "sha256": str(sha256 or ""),
    }


def _from_database(url: str, names: set[str] | None) -> dict[str, dict[str, dict[str, str]]]:
    from sqlalchemy import bindparam, create_engine, text

    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not os.path.exists(path):
            return {}
        url = f"sqlite:///file:{urllib.parse.quote(path)}?mode=ro&uri=true"
    query = (
        "SELECT a.name, a.alias, a.version, v.source, v.run_id, "
        "(SELECT t.value FROM model_version_tags t WHERE t.name = a.name AND t.version = a.version "
        "AND t.key = 'sha256') FROM registered_model_aliases a LEFT JOIN model_versions v "
        "ON v.name = a.name AND v.version = a.version"
    )
    params: dict[str, Any] = {}
    statement = text(query)
    if names is not None:
        statement = text(query + " WHERE a.name IN :names").bindparams(bindparam("names", expanding=True))
        params["names"] = sorted(names) or [""]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(statement, params).all()
    except Exception as exc:
        raise AliasesUnreadable(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from None
    finally:
        engine.dispose()
    out: dict[str, dict[str, dict[str, str]]] = {}
    for name, alias, version, source, run_id, sha in rows:
        out.setdefault(name, {})[alias] = _version_info(version, source, run_id, sha)
    return out


def _headers() -> dict[str, str]:
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if user and password:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
    return {}


def _get(base: str, path: str, query: dict[str, Any]) -> dict[str, Any]:
    url = f"{base}/api/2.0/mlflow/{path}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, headers=_headers())
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read().decode("utf-8") or "{}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise AliasesUnreadable(f"{base}: {getattr(exc, 'reason', exc)}") from None


def _from_server(base: str, names: set[str] | None) -> dict[str, dict[str, dict[str, str]]]:
    base = base.rstrip("/")
    found: dict[str, dict[str, str]] = {}
    token = None
    while True:
        query: dict[str, Any] = {"max_results": 1000}
        if token:
            query["page_token"] = token
        page = _get(base, "registered-models/search", query)
        for model in page.get("registered_models") or []:
            if names is None or model.get("name") in names:
                found[model["name"]] = {a["alias"]: str(a["version"]) for a in model.get("aliases") or []}
        token = page.get("next_page_token")
        if not token:
            break
    out: dict[str, dict[str, dict[str, str]]] = {}
    for name, aliases in found.items():
        for alias, version in aliases.items():
            got = (
                _get(base, "model-versions/get", {"name": name, "version": version}).get("model_version")
                or {}
            )
            tags = {t.get("key"): t.get("value") for t in got.get("tags") or []}
            out.setdefault(name, {})[alias] = _version_info(
                version, got.get("source"), got.get("run_id"), tags.get("sha256")
            )
    return out


def _from_client(uri: str, names: set[str] | None) -> dict[str, dict[str, dict[str, str]]]:
    from models.registry import Registry

    try:
        registry = Registry(tracking_uri=uri)
        out: dict[str, dict[str, dict[str, str]]] = {}
        for name, aliases in registry.aliases().items():
            if names is not None and name not in names:
                continue
            for alias, version in aliases.items():
                got = registry.get_version(name, version)
                out.setdefault(name, {})[alias] = _version_info(
                    version, got.source, got.run_id, (got.tags or {}).get("sha256")
                )
        return out
    except Exception as exc:
        raise AliasesUnreadable(
            f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        ) from None


def live_aliases(tracking_uri: str, names: set[str] | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """Registered model → alias → ``{version, source, run_id, sha256}`` as MLflow holds them now.

    Parameters
    ----------
    tracking_uri : str
        The configured tracking (= registry) URI.
    names : set of str, optional
        Only these registered models (default: all).

    Raises
    ------
    AliasesUnreadable
        MLflow could not be read.
    """
    scheme = tracking_uri.split(":", 1)[0].lower()
    if scheme in ("http", "https"):
        return _from_server(tracking_uri, names)
    if scheme.split("+", 1)[0] in ("sqlite", "postgresql", "mysql", "mssql"):
        return _from_database(tracking_uri, names)
    return _from_client(tracking_uri, names)
