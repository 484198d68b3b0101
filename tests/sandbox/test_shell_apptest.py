"""Workbench shell: login, language switch, every page for every demo role (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sandbox.demo import DEMO_PASSWORD, DEMO_USERS
from sandbox.roles import can
from sandbox.ui import PAGES
from sandbox.users import authenticate

ROOT = Path(__file__).resolve().parents[2]
ROLES_TO_TRY = ["admin", "chair", "reviewer", "steward", "vendor_a"]


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_login_form_in_chinese_then_english(demo_home: Path) -> None:
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "算法监管沙盒"
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Algorithm Governance Sandbox"


def test_wrong_password_shows_error(demo_home: Path) -> None:
    at = _app().run()
    at.text_input(key="login_username").input("reviewer")
    at.text_input(key="login_password").input("nope-nope")
    at.button[0].click().run()
    assert at.error[0].value == "用户 reviewer 的密码错误。"


@pytest.mark.parametrize("username", ROLES_TO_TRY)
def test_login_shows_home_for_role(demo_home: Path, username: str) -> None:
    at = _app().run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(DEMO_PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "我的待办"
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "What waits for me"


@pytest.mark.parametrize("username", [u["username"] for u in DEMO_USERS if u["username"] in ROLES_TO_TRY])
def test_every_visible_page_renders(demo_home: Path, username: str) -> None:
    actor = authenticate(username, DEMO_PASSWORD)
    for spec in PAGES:
        if not (ROOT / spec.path).exists() or not can(actor, spec.permission):
            continue
        at = AppTest.from_file(str(ROOT / spec.path), default_timeout=60)
        at.session_state["actor"] = actor
        at.session_state["lang"] = "zh"
        at.run()
        assert not at.exception, (spec.path, at.exception)
        assert not at.error, (spec.path, [e.value for e in at.error])


def test_admin_adds_a_user_from_the_page(home: Path) -> None:
    from sandbox.demo.people import seed_people

    seed_people()
    at = AppTest.from_file(str(ROOT / "workbench_pages/users.py"), default_timeout=60)
    at.session_state["actor"] = authenticate("admin", DEMO_PASSWORD)
    at.run()
    at.text_input(key="new_username").input("zhou")
    at.text_input(key="new_display_name").input("周审查")
    at.selectbox(key="new_role").set_value("reviewer")
    at.text_input(key="new_password").input("short")
    at.button[0].click().run()
    assert at.error[0].value == "密码至少需要 8 个字符。"
    at.text_input(key="new_username").input("zhou")
    at.selectbox(key="new_role").set_value("reviewer")
    at.text_input(key="new_password").input("long-enough-pw")
    at.button[0].click().run()
    assert not at.error
    assert authenticate("zhou", "long-enough-pw").role == "reviewer"


def test_chair_sees_users_but_no_add_form(demo_home: Path) -> None:
    at = AppTest.from_file(str(ROOT / "workbench_pages/users.py"), default_timeout=60)
    at.session_state["actor"] = authenticate("chair", DEMO_PASSWORD)
    at.run()
    assert not at.exception
    assert len(at.text_input) == 0
