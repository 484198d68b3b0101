"""An admin changes the committee on 用户管理 in Chinese; the records page's chain head and verification cover it.

The test leaves the roster as it found it (the member it adds is the one it removes), so the other browser
tests see the demo committee unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from sandbox.i18n import t
from tests.browser.wb_actions import as_user, choose, click, fill, success_text
from tests.browser.wb_driver import error_boxes, open_page, rerun, visible_text

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

NEWCOMER = "browser_member"


def _head_shown(message: str) -> str:
    found = re.search(r"记录链链头：(\d+:[0-9a-f]{16})…", message)
    assert found, message
    return found.group(1)


def test_admin_adds_and_removes_a_member_and_the_chain_shows_it(wb_page: Any, workbench_url: str) -> None:
    as_user(wb_page, workbench_url, "admin", page_title=t("nav.users", "zh"))
    # the rule check: 7 members, nobody can leave before someone joins
    choose(wb_page, "remove_member", "reviewer2", in_form=True)
    fill(wb_page, "remove_reason", "任期届满", in_form=True)
    click(wb_page, "remove_button")
    refused = "\n".join(error_boxes(wb_page))
    assert "委员会只有 6 名委员；规则要求至少 7 名" in refused, refused

    # an account for the newcomer (role 审查员), then the newcomer joins
    fill(wb_page, "new_username", NEWCOMER, in_form=True)
    fill(wb_page, "new_password", "browser-member-pw-1", in_form=True)
    choose(wb_page, "new_role", t("role.reviewer", "zh"), in_form=True)
    rerun(wb_page, wb_page.get_by_role("button", name=t("users.add_button", "zh"), exact=True).click)
    assert NEWCOMER in success_text(wb_page, where="add the account")
    fill(wb_page, "add_username", NEWCOMER, in_form=True)
    choose(wb_page, "add_category", "法律", in_form=True)
    choose(wb_page, "add_sex", "女", in_form=True)
    fill(wb_page, "add_affiliation", "市律师协会", in_form=True)
    fill(wb_page, "add_reason", "新聘法律委员", in_form=True)
    click(wb_page, "add_button")
    joined = success_text(wb_page, where="add a member")
    number = re.search(rf"{NEWCOMER} 已加入 .+（现有 8 名委员），记为第 (\d+) 次委员变动", joined)
    assert number, joined
    first_head = _head_shown(joined)
    assert f"{NEWCOMER} 加入（admin）：新聘法律委员" in visible_text(wb_page)

    # and leaves again: the committee is back to its 7 members
    choose(wb_page, "remove_member", NEWCOMER, in_form=True)
    fill(wb_page, "remove_reason", "试用结束", in_form=True)
    click(wb_page, "remove_button")
    left = success_text(wb_page, where="remove a member")
    assert re.search(rf"{NEWCOMER} 已退出 .+（现有 7 名委员），记为第 {int(number.group(1)) + 1} 次委员变动", left), left
    head = _head_shown(left)
    assert int(head.split(":")[0]) == int(first_head.split(":")[0]) + 1  # each change is one chain entry
    assert f"{NEWCOMER} 退出（admin）：试用结束" in visible_text(wb_page)

    # the records page: the head to publish is the last change, and verification replays both changes
    open_page(wb_page, t("nav.records", "zh"))
    shown = wb_page.locator('[data-testid="stCode"] code').first.inner_text().strip()
    assert shown.startswith(head), (shown, head)
    click(wb_page, "records_verify_all")
    verified = success_text(wb_page, where="verify all")
    assert "核验通过" in verified and f"核对 {int(number.group(1)) + 1} 次委员变动" in verified, verified
