"""Streamlit entry: login, language switch and navigation over workbench_pages/ (not pages/: that name switches Streamlit to its legacy multipage mode)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sandbox.demo import demo_ready
from sandbox.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from sandbox.errors import SandboxError
from sandbox.roles import can
from sandbox.ui import PAGES, current_actor, error_text, localise_chrome, tr

ROOT = Path(__file__).parent

st.set_page_config(page_title="算法监管沙盒", page_icon="⚖️", layout="wide")
localise_chrome()

with st.sidebar:
    st.radio(
        tr("app.language"), options=["zh", "en"], key="lang", horizontal=True,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
    )


def _home_problem() -> str | None:
    """Why this process must not work on the data home (another account's home), else None."""
    from sandbox.accounts import require_own_home

    try:
        require_own_home()
    except SandboxError as exc:
        return error_text(exc)
    return None


def _first_run() -> bool:
    """No account yet: the data home waits for ``sandbox init`` (checked until the first account exists)."""
    if st.session_state.get("_has_users"):
        return False
    from sandbox.accounts import first_run

    empty = first_run()
    st.session_state["_has_users"] = not empty
    return empty


def first_run_page() -> None:
    from sandbox.settings import get_settings

    st.title(tr("accounts.ui.first_run_title"))
    st.markdown(tr("accounts.ui.first_run_body", home=str(get_settings().home)))
    st.code("sandbox init --admin NAME", language="bash")
    st.caption(tr("accounts.ui.first_run_demo"))


def login_page() -> None:
    st.title(tr("app.title"))
    st.caption(tr("app.subtitle"))
    with st.form("login", enter_to_submit=True):
        username = st.text_input(tr("app.username"), key="login_username")
        password = st.text_input(tr("app.password"), type="password", key="login_password")
        submitted = st.form_submit_button(tr("app.login"), type="primary")
    if submitted:
        from sandbox.users import authenticate  # the database layer loads at the first login, not before

        try:
            st.session_state["actor"] = authenticate(username.strip(), password)
            st.rerun()
        except SandboxError as exc:
            st.error(error_text(exc))
    if not demo_ready():
        return  # a real deployment: no demo accounts to offer
    with st.expander(tr("app.demo_logins", password=DEMO_PASSWORD)):
        st.table(
            [{tr("col.username"): u["username"], tr("col.role"): tr(f"role.{u['role']}"),
              tr("col.display_name"): u["display_name"]} for u in DEMO_USERS]
        )


problem = _home_problem()  # a workbench started as root on the service account's home writes root's files there
if problem is not None:
    st.error(problem)
    st.stop()
actor = current_actor()
if actor is not None:
    from sandbox.users import is_active

    if not is_active(actor.username):  # disabled (or removed) since logging in
        st.session_state.pop("actor", None)
        actor = None
if actor is None and _first_run():
    st.navigation([st.Page(first_run_page, title=tr("accounts.ui.first_run_title"), url_path="welcome")]).run()
elif actor is None:
    st.navigation([st.Page(login_page, title=tr("app.login"), url_path="login")]).run()
else:
    with st.sidebar:
        st.markdown(tr("app.logged_in_as", name=actor.display_name, role=tr(f"role.{actor.role}")))
        if st.button(tr("app.logout"), key="logout"):
            st.session_state.pop("actor", None)
            st.rerun()
    pages = [
        st.Page(str(ROOT / spec.path), title=tr(spec.title_key), icon=spec.icon, url_path=spec.url,
                default=spec.url == "home")
        for spec in PAGES
        if (ROOT / spec.path).exists() and can(actor, spec.permission)
    ]
    st.navigation(pages).run()
