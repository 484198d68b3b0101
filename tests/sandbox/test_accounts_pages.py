"""Workbench: first-run page on a home without accounts, the admin's account list, my account (AppTest)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sandbox.users import add_user, authenticate

ROOT = Path(__file__).resolve().parents[2]
PW = "admin-password-1"


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / name), default_timeout=60)


def test_first_run_page_shows_init_and_no_demo_accounts(home: Path) -> None:
    assert not (home / "sandbox.db").exists()
    at = _page("app.py").run()
    assert not at.exception
    assert not (home / "sandbox.db").exists()  # showing the page creates nothing: a restore may still fill the home
    assert at.title[0].value == "首次使用：请先创建管理员"
    assert [c.value for c in at.code] == ["sandbox init --admin NAME"]
    assert len(at.text_input) == 0 and len(at.expander) == 0 and len(at.table) == 0  # no login, no demo list
    add_user(username="boss", password=PW, role="admin")
    at = _page("app.py").run()
    assert at.title[0].value == "算法监管沙盒" and len(at.text_input) == 2
    assert len(at.expander) == 0  # no demo world: no demo accounts offered


def test_disabled_user_is_logged_out_at_the_next_run(home: Path) -> None:
    from sandbox.accounts import set_account_active

    boss = add_user(username="boss", password=PW, role="admin")
    add_user(username="li", password="li-password-1", role="reviewer")
    at = _page("app.py")
    at.session_state["actor"] = authenticate("li", "li-password-1")
    at.run()
    assert at.title[0].value != "算法监管沙盒"
    set_account_active(actor=boss, username="li", active=False)
    at.run()
    assert at.title[0].value == "算法监管沙盒" and "actor" not in at.session_state


def test_admin_disables_enables_and_resets(home: Path) -> None:
    add_user(username="boss", password=PW, role="admin")
    add_user(username="li", password="li-password-1", role="reviewer")
    at = _page("workbench_pages/users.py")
    at.session_state["actor"] = authenticate("boss", PW)
    at.run()
    at.selectbox(key="manage_user").set_value("li").run()
    at.button(key="manage_disable").click().run()
    assert not at.error and at.success[0].value.startswith("已停用账户 li")
    at.run()
    assert "已停用" in at.dataframe[0].value.to_csv()
    at.button(key="manage_enable").click().run()
    at.text_input(key="reset_password").input("short")
    at.button(key="reset_submit").click().run()
    assert at.error[0].value == "密码至少需要 8 个字符。"
    at.text_input(key="reset_password").input("li-password-2")
    at.button(key="reset_submit").click().run()
    assert not at.error
    assert authenticate("li", "li-password-2").username == "li"


def test_my_account_changes_password_and_rotates(home: Path) -> None:
    add_user(username="li", password="li-password-1", role="reviewer")
    at = _page("workbench_pages/account.py")
    at.session_state["lang"] = "en"
    at.session_state["actor"] = authenticate("li", "li-password-1")
    at.run()
    assert not at.exception and at.caption[0].value.startswith("No signing key yet")
    at.text_input(key="old_password").input("li-password-1")
    at.text_input(key="new_password1").input("li-password-2")
    at.text_input(key="new_password2").input("li-password-X")
    at.button[0].click().run()
    assert at.error[0].value.startswith("The two passwords differ")
    at.text_input(key="old_password").input("li-password-1")
    at.text_input(key="new_password1").input("li-password-2")
    at.text_input(key="new_password2").input("li-password-2")
    at.button[0].click().run()
    assert not at.error and at.success[0].value.startswith("Password of li changed")
    at.text_input(key="rotate_password").input("wrong-password")
    at.button[1].click().run()
    assert at.error[0].value == "Wrong password for user li."
    at.text_input(key="rotate_password").input("li-password-2")
    at.button[1].click().run()
    assert not at.error
    at.run()
    assert "live" in at.dataframe[0].value.to_csv()


def test_the_workbench_refuses_a_home_of_another_account(home: Path) -> None:
    """Started as root on the service account's home it would write root-owned files the service cannot read."""
    import os

    import pytest

    if os.geteuid() != 0:
        pytest.skip("needs root to give the home to another account")
    add_user(username="boss", password=PW, role="admin")
    before = sorted(p.name for p in home.iterdir())
    for path in [home, *home.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    try:
        at = _page("app.py").run()
        assert not at.exception and len(at.text_input) == 0  # no login form, nothing else drawn
        import pwd

        assert f"属于账户 {pwd.getpwuid(65534).pw_name}" in at.error[0].value and "runuser -u" in at.error[0].value
        assert sorted(p.name for p in home.iterdir()) == before
    finally:
        for path in [home, *home.rglob("*")]:
            os.chown(path, 0, 0, follow_symlinks=False)
