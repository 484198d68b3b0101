"""Workbench helpers shared by app.py and workbench_pages/: session state, language, errors.

Pages stay short: read state, widgets with ``key=``, one service call, render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from sandbox.errors import SandboxError
from sandbox.i18n import t
from sandbox.roles import Actor, can

__all__ = ["PAGES", "PageSpec", "current_actor", "guarded", "lang", "require", "tr", "warm_up"]

T = TypeVar("T")


def lang() -> str:
    return st.session_state.get("lang", "zh")


def tr(key: str, **params: Any) -> str:
    return t(key, lang(), **params)


def current_actor() -> Actor | None:
    return st.session_state.get("actor")


def require(action: str) -> Actor:
    """The logged-in actor, stopping the page if they may not do ``action``."""
    actor = current_actor()
    if actor is None or not can(actor, action):
        st.error(tr("errors.permission_denied", username=getattr(actor, "username", "?"),
                    role=getattr(actor, "role", "?"), action=action))
        st.stop()
    return actor  # type: ignore[return-value]


def guarded(call: Callable[[], T]) -> T | None:
    """Run one service call; show a SandboxError in the user's language."""
    try:
        return call()
    except SandboxError as exc:
        st.error(exc.render(lang()))
        return None


class PageSpec:
    """A workbench page: file, title key, icon and the permission that shows it."""

    def __init__(self, path: str, title_key: str, icon: str, permission: str, url: str) -> None:
        self.path = path
        self.title_key = title_key
        self.icon = icon
        self.permission = permission
        self.url = url


# Every page of the workbench, in menu order. A page file that does not exist
# yet is left out of the menu.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("workbench_pages/home.py", "nav.home", ":material/home:", "home.view", "home"),
    PageSpec("workbench_pages/model_submit.py", "nav.model_submit", ":material/upload:", "models.submit", "submit"),
    PageSpec("workbench_pages/model_registry.py", "nav.model_registry", ":material/inventory_2:", "models.view", "registry"),
    PageSpec("workbench_pages/fairness_audit.py", "nav.fairness_audit", ":material/balance:", "audit.view", "audit"),
    PageSpec("workbench_pages/pii_scan.py", "nav.pii_scan", ":material/policy:", "privacy.scan", "pii"),
    PageSpec("workbench_pages/data_release.py", "nav.data_release", ":material/lock:", "privacy.release", "release"),
    PageSpec("workbench_pages/ethics_review.py", "nav.ethics_review", ":material/gavel:", "review.view", "review"),
    PageSpec("workbench_pages/records.py", "nav.records", ":material/verified:", "records.verify", "records"),
    PageSpec("workbench_pages/users.py", "nav.users", ":material/group:", "users.list", "users"),
)


# Modules whose first import takes seconds (MLflow, Presidio + jieba, fairlearn).
_HEAVY_MODULES = ("models.service", "audits", "privacy.scanning", "sandbox.review")


def _import_heavy() -> None:
    import importlib

    for name in _HEAVY_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # warming up must never break the app
            pass
    try:
        from privacy.nlp import get_analyzer

        get_analyzer()  # loads jieba's dictionaries once per process
    except Exception:  # warming up must never break the app
        pass


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Import the heavy modules once per server process, in the background.

    The login page shows at once; by the time a user opens the registry or the
    PII scan, MLflow and the Chinese NLP engine are already imported.
    """
    import threading

    threading.Thread(target=_import_heavy, name="sandbox-warm-up", daemon=True).start()
    return True
