"""Workbench: the committee section of the users page — create from members YAML (admin), declare an interest."""

from __future__ import annotations

from pathlib import Path

import yaml
from streamlit.testing.v1 import AppTest

from sandbox.review import DEMO_MEMBERS
from sandbox.users import add_user, authenticate

ROOT = Path(__file__).resolve().parents[2]
PW = "admin-password-1"


def _yaml(count: int) -> str:
    rows = [{**{k: v for k, v in m.items() if k != "is_chair"}, **({"chair": True} if m.get("is_chair") else {})}
            for m in DEMO_MEMBERS[:count]]
    return yaml.safe_dump({"members": rows}, allow_unicode=True, sort_keys=False)


def test_admin_creates_the_committee_and_records_an_interest(home: Path) -> None:
    add_user(username="boss", password=PW, role="admin")
    for m in DEMO_MEMBERS:
        add_user(username=m["username"], password="member-pw-1", role="chair" if m.get("is_chair") else "reviewer")
    at = AppTest.from_file(str(ROOT / "workbench_pages/users.py"), default_timeout=60)
    at.session_state["actor"] = authenticate("boss", PW)
    at.run()
    assert not at.exception and at.info[0].value.startswith("尚无伦理委员会")
    at.text_input(key="committee_name").input("市伦理委员会")
    at.text_area(key="committee_members").input(_yaml(6))
    at.button(key="committee_create_button").click().run()
    assert at.error[0].value.startswith("委员会只有 6 名委员")
    at.text_area(key="committee_members").input(_yaml(7))
    at.button(key="committee_create_button").click().run()
    assert not at.error and at.success[0].value == "已创建伦理委员会 市伦理委员会（7 名委员）。"
    at.run()
    assert "市大数据发展管理局" in at.dataframe[1].value.to_csv()
    at.selectbox(key="interest_member").set_value("reviewer2")
    at.text_input(key="interest_text").input("2026年持有某数据公司股份")
    at.button(key="interest_button").click().run()
    assert not at.error and at.success[0].value.startswith("已记录 reviewer2")
    at.run()
    assert "2026年持有某数据公司股份" in at.dataframe[1].value.to_csv()


def test_admin_adds_and_removes_a_member_and_sees_the_changes(home: Path) -> None:
    from sandbox.review import create_committee

    add_user(username="boss", password=PW, role="admin")
    for m in DEMO_MEMBERS:
        add_user(username=m["username"], password="member-pw-1", role="chair" if m.get("is_chair") else "reviewer")
    add_user(username="newcomer", password="member-pw-1", role="reviewer")
    create_committee(actor=None, name="市伦理委员会", members=[dict(m) for m in DEMO_MEMBERS])
    at = AppTest.from_file(str(ROOT / "workbench_pages/users.py"), default_timeout=60)
    at.session_state["actor"] = authenticate("boss", PW)
    at.run()
    at.text_input(key="add_username").input("newcomer")
    at.selectbox(key="add_category").set_value("法律")
    at.selectbox(key="add_sex").set_value("女")
    at.text_input(key="add_reason").input("新聘委员")
    at.button(key="add_button").click().run()
    assert not at.error and at.success[0].value.startswith("newcomer 已加入 市伦理委员会（现有 8 名委员）")
    at.selectbox(key="remove_member").set_value("reviewer3")
    at.button(key="remove_button").click().run()  # no reason: refused, nothing changes
    assert at.error[0].value.startswith("请写明委员变动的原因")
    at.selectbox(key="remove_member").set_value("reviewer3")
    at.text_input(key="remove_reason").input("任期届满")
    at.button(key="remove_button").click().run()
    assert not at.error and at.success[0].value.startswith("reviewer3 已退出 市伦理委员会（现有 7 名委员）")
    shown = "\n".join(t.value for t in at.text)  # the list above the forms already shows both changes
    assert "newcomer 加入（boss）：新聘委员" in shown and "reviewer3 退出（boss）：任期届满" in shown
    assert "reviewer3" not in at.dataframe[1].value.to_csv()
