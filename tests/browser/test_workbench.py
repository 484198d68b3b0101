"""The workbench in a real browser: login, language, every page for every role.

Render times are measured and reported (``build/browser/``), never asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.demo import DEMO_PASSWORD, DEMO_USERS
from sandbox.i18n import t
from sandbox.roles import Actor, can
from sandbox.ui import PAGES, PageSpec
from tests.browser.wb_driver import (
    STREAMLIT_BUILTIN_ENGLISH,
    RenderReport,
    catalog_keys_in,
    english_leaks,
    error_boxes,
    login,
    nav_titles,
    open_page,
    rerun,
    set_language,
    visible_text,
    visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
USERS = ["admin", "chair", "reviewer", "steward", "vendor_a"]
ROLE_OF = {u["username"]: u["role"] for u in DEMO_USERS}
DISPLAY_NAME = {u["username"]: u["display_name"] for u in DEMO_USERS}
HOME_TITLE = {"zh": t("home.title", "zh"), "en": t("home.title", "en")}

# (username, page url) pairs whose screenshots illustrate docs/walkthrough.md.
WALKTHROUGH_SHOTS: frozenset[tuple[str, str]] = frozenset({
    ("vendor_a", "home"), ("vendor_a", "submit"), ("vendor_a", "registry"), ("vendor_a", "review"),
    ("reviewer", "home"), ("reviewer", "registry"), ("reviewer", "audit"), ("reviewer", "review"),
    ("steward", "home"), ("steward", "pii"), ("steward", "release"),
    ("chair", "home"), ("chair", "review"), ("chair", "records"),
    ("admin", "home"), ("admin", "users"),
})


def visible_pages(username: str) -> list[PageSpec]:
    """The pages the menu must offer this demo user (landed page files only)."""
    actor = Actor(user_id=0, username=username, display_name=username, role=ROLE_OF[username])
    return [spec for spec in PAGES if (ROOT / spec.path).exists() and can(actor, spec.permission)]


def check_clean(page: Any, lang: str, where: str, report: RenderReport) -> None:
    """No error box; no raw catalog key; in Chinese, no English UI text."""
    text = visible_text(page)
    assert not error_boxes(page), f"{where}: error box shown: {error_boxes(page)}"
    assert not catalog_keys_in(text), f"{where}: untranslated catalog keys {catalog_keys_in(text)}"
    if lang == "zh":
        leaks = english_leaks(text)
        assert not leaks, f"{where}: English text in Chinese mode: {leaks}"
        seen = [s for s in STREAMLIT_BUILTIN_ENGLISH if s in text]
        if seen:
            report.leaks.append({"where": where, "streamlit_builtin": seen})


def test_login_page_in_chinese_has_no_english(wb_page: Any, workbench_url: str,
                                              screenshot: Callable[..., Path],
                                              render_report: RenderReport) -> None:
    visit(wb_page, workbench_url)
    text = visible_text(wb_page)
    assert t("app.title", "zh") in text and t("app.login", "zh") in text
    check_clean(wb_page, "zh", "login", render_report)
    screenshot(wb_page, "login_zh", docs=True)  # docs/walkthrough.md
    set_language(wb_page, "en")
    text = visible_text(wb_page)
    assert t("app.title", "en") in text and t("app.title", "zh") not in text
    check_clean(wb_page, "en", "login/en", render_report)


def test_keyboard_only_login(wb_page: Any, workbench_url: str) -> None:
    """Tab reaches the username field, Tab moves to the password, Enter submits."""
    visit(wb_page, workbench_url)
    username = wb_page.get_by_label(t("app.username", "zh"), exact=True)
    for _ in range(30):
        wb_page.keyboard.press("Tab")
        if username.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the username field cannot be reached with Tab")
    wb_page.keyboard.type("reviewer")
    wb_page.keyboard.press("Tab")
    password = wb_page.get_by_label(t("app.password", "zh"), exact=True)
    assert password.evaluate("el => el === document.activeElement"), "Tab from username does not reach password"
    wb_page.keyboard.type(DEMO_PASSWORD)
    rerun(wb_page, lambda: wb_page.keyboard.press("Enter"))
    wb_page.get_by_role("heading", name=HOME_TITLE["zh"]).wait_for()
    welcome = wb_page.get_by_text(t("home.welcome", "zh", name=DISPLAY_NAME["reviewer"])).first
    assert welcome.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 16


def test_wrong_password_is_refused_in_the_users_language(wb_page: Any, workbench_url: str) -> None:
    visit(wb_page, workbench_url)
    set_language(wb_page, "en")
    wb_page.get_by_label("Username", exact=True).fill("chair")
    wb_page.get_by_label("Password", exact=True).fill("not-the-password")
    rerun(wb_page, lambda: wb_page.get_by_label("Password", exact=True).press("Enter"))
    assert error_boxes(wb_page) == [t("errors.wrong_password", "en", username="chair")]
    assert not wb_page.locator('[data-testid="stSidebarNavLink"]').count() > 1


def test_default_font_is_large_enough(wb_page: Any, workbench_url: str) -> None:
    """Elderly-facing UI: body text at least 16 px (``.streamlit/config.toml`` baseFontSize)."""
    visit(wb_page, workbench_url)
    size = "el => parseFloat(getComputedStyle(el).fontSize)"
    root = wb_page.locator("html").evaluate(size)
    field = wb_page.get_by_label(t("app.username", "zh"), exact=True).evaluate(size)
    button = wb_page.get_by_role("button", name=t("app.login", "zh")).evaluate(size)
    # Streamlit draws input text one step below the base size (14 px at base 16).
    assert root >= 16 and button >= 16 and field >= 14, {"root": root, "input": field, "button": button}


@pytest.mark.parametrize("username", USERS)
def test_role_sees_its_pages_and_each_renders_cleanly(
    username: str, wb_page: Any, workbench_url: str, render_report: RenderReport,
    screenshot: Callable[..., Path],
) -> None:
    """Log in → home in Chinese → every menu page clean; then the same in English."""
    first_render = {"zh": login(wb_page, workbench_url, username)}
    wb_page.get_by_role("heading", name=HOME_TITLE["zh"]).wait_for()
    expected = visible_pages(username)
    for lang in ("zh", "en"):
        if lang == "en":
            first_render["en"] = set_language(wb_page, "en")
            wb_page.get_by_role("button", name=t("app.logout", "en")).wait_for()
        titles = [t(spec.title_key, lang) for spec in expected]
        if len(titles) > 1:
            assert nav_titles(wb_page) == titles, f"{username} menu in {lang}"
        else:  # Streamlit hides a one-entry menu
            assert wb_page.locator('[data-testid="stSidebarNavLink"]').count() == 0
        for spec, title in zip(expected, titles, strict=True):
            # A one-page menu has no link to click: its render is the login / language rerun.
            seconds = open_page(wb_page, title) if len(titles) > 1 else first_render[lang]
            where = f"{username}/{spec.url}/{lang}"
            render_report.add(role=username, lang=lang, page=title, url=spec.url, seconds=seconds,
                              errors=len(error_boxes(wb_page)))
            assert wb_page.url.rstrip("/").endswith(spec.url) or spec.url == "home", (where, wb_page.url)
            check_clean(wb_page, lang, where, render_report)
            if lang == "zh":
                screenshot(wb_page, f"{username}_{spec.url}", docs=(username, spec.url) in WALKTHROUGH_SHOTS)
    set_language(wb_page, "zh")
    wb_page.get_by_role("button", name=t("app.logout", "zh")).wait_for()


def test_logout_returns_to_login(wb_page: Any, workbench_url: str) -> None:
    login(wb_page, workbench_url, "steward")
    wb_page.get_by_role("heading", name=HOME_TITLE["zh"]).wait_for()
    rerun(wb_page, wb_page.get_by_role("button", name=t("app.logout", "zh")).click)
    wb_page.get_by_label(t("app.password", "zh"), exact=True).wait_for()
    assert wb_page.locator('[data-testid="stSidebarNavLink"]').count() <= 1
