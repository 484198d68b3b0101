"""Workbench helpers shared by app.py and workbench_pages/: session state, language, errors.

Pages stay short: read state, widgets with ``key=``, one service call, render.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from sandbox.clock import local_time_text
from sandbox.errors import ConfigError, SandboxError
from sandbox.i18n import t
from sandbox.roles import Actor, can

__all__ = [
    "PAGES", "PageSpec", "current_actor", "error_text", "guarded", "html_text", "lang", "local_time_text",
    "localise_chrome", "md_escape",
    "require", "tr", "trm", "upload_hint",
]

T = TypeVar("T")


def lang() -> str:
    return st.session_state.get("lang", "zh")


def tr(key: str, **params: Any) -> str:
    return t(key, lang(), **params)


# Markdown's active characters inside a line: links and images ([..](..), ![..](..),
# <http://..>), emphasis, strikethrough, code, math ($..$ in Streamlit), tables.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>$~|])")


def md_escape(value: str) -> str:
    """Text shown as itself inside Markdown (a file, column or value name from an upload).

    Everything Streamlit renders as Markdown — ``st.error``/``warning``/``success``/
    ``info``/``caption``/``markdown``/``write`` — would otherwise turn a vendor's
    column called ``![x](http://…)`` into an image the reviewer's browser fetches,
    ``$…$`` into math, and ``*a*`` into emphasis.
    """
    return _MARKDOWN.sub(r"\\\1", value)


# HTML's and Markdown's active characters as numeric references: Markdown is parsed before references are
# decoded, so ``&#91;`` shows "[" but opens no link or image; ``:`` too, so no bare URL becomes a link.
_HTML_TEXT = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'\\`*_[]()!$~|#+-.{}:="})


def html_text(value: object) -> str:
    """Text shown as itself in ``st.markdown(..., unsafe_allow_html=True)`` (a cell of an uploaded file).

    :func:`html.escape` alone is not enough there: Markdown is still parsed, so a
    cell ``![x](http://…)`` became an image the reviewer's browser fetched.
    Line breaks are kept as ``<br>``.
    """
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(line.translate(_HTML_TEXT) for line in lines)


def trm(key: str, **params: Any) -> str:
    """:func:`tr` for Markdown elements: text parameters are escaped, the catalog text is not."""
    return tr(key, **{name: md_escape(v) if isinstance(v, str) else v for name, v in params.items()})


def error_text(exc: SandboxError) -> str:
    """An error in the user's language for a Markdown element (its parameters escaped)."""
    if type(exc).render not in (SandboxError.render, ConfigError.render):
        return md_escape(exc.render(lang()))  # an error that builds its own text (a model card's problem list)
    return trm(exc.key, **exc.params)


def current_actor() -> Actor | None:
    return st.session_state.get("actor")


def require(action: str) -> Actor:
    """The logged-in actor, stopping the page if they may not do ``action``."""
    actor = current_actor()
    if actor is None or not can(actor, action):
        st.error(trm("errors.permission_denied", username=getattr(actor, "username", "?"),
                    role=getattr(actor, "role", "?"), action=action))
        st.stop()
    return actor  # type: ignore[return-value]


def guarded(call: Callable[[], T]) -> T | None:
    """Run one service call; show a SandboxError in the user's language."""
    try:
        return call()
    except SandboxError as exc:
        st.error(error_text(exc))
        return None


# Streamlit's file uploader draws its button ("Upload") and size note ("2GB per
# file • CSV") in English whatever the app's language. In Chinese the English
# text is hidden (visibility, so screen readers and innerText skip it too) and
# the catalog's text drawn in its place.
_UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span {{
  visibility: hidden; position: relative; white-space: nowrap; display: inline-block; overflow: visible}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{min-width: 4.2em}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{min-width: 12em}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{browse}"; visibility: visible; position: absolute; left: 0; top: 0}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "{limit}"; visibility: visible; position: absolute; left: 0; top: 0}}
</style>"""


def _upload_limit() -> str:
    size_mb = int(st.get_option("server.maxUploadSize"))
    return f"{size_mb // 1024} GB" if size_mb >= 1024 and size_mb % 1024 == 0 else f"{size_mb} MB"


def localise_chrome() -> None:
    """Put Streamlit's built-in English uploader texts into the user's language (Chinese only)."""
    if lang() != "zh":
        return
    st.html(_UPLOADER_CSS.format(browse=tr("ui.upload_browse"), limit=tr("ui.upload_limit", limit=_upload_limit())))


def upload_hint() -> None:
    """Under a data uploader: the upload limit and where a larger table goes (the CLI's Spark engine, a large source).

    Streamlit refuses a file over ``server.maxUploadSize`` in the browser, before it is sent, with an English
    line ("File must be 500.0MB or smaller."); this caption says it in the user's language beforehand.
    """
    st.caption(tr("ui.upload_large", limit=_upload_limit()))


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
    PageSpec("workbench_pages/large_sources.py", "nav.large_sources", ":material/dataset:", "engines.large", "large"),
    PageSpec("workbench_pages/ethics_review.py", "nav.ethics_review", ":material/gavel:", "review.view", "review"),
    PageSpec("workbench_pages/records.py", "nav.records", ":material/verified:", "records.verify", "records"),
    PageSpec("workbench_pages/users.py", "nav.users", ":material/group:", "users.list", "users"),
    PageSpec("workbench_pages/account.py", "nav.account", ":material/key:", "home.view", "account"),
)
