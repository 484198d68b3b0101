"""AppTest smoke test of the 数据发布 / Data release page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sandbox.users import actor_for

ROOT = Path(__file__).resolve().parents[2]


def _page(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "workbench_pages" / "data_release.py"), default_timeout=120)
    at.session_state["actor"] = actor_for("steward")
    at.session_state["lang"] = lang
    return at


def test_page_renders_for_steward_on_demo(demo_home: Path) -> None:
    at = _page().run()
    assert not at.exception
    assert at.title[0].value == "数据发布"
    if (demo_home / "demo" / "social_assistance" / "data.csv").exists():
        assert at.subheader[0].value.startswith("1.")
        assert any(m.label == "k" for m in at.metric)


def test_page_in_english_and_vendor_is_refused(demo_home: Path) -> None:
    at = _page("en").run()
    assert not at.exception and at.title[0].value == "Data release"
    vendor = AppTest.from_file(str(ROOT / "workbench_pages" / "data_release.py"), default_timeout=60)
    vendor.session_state["actor"] = actor_for("vendor_a")
    vendor.session_state["lang"] = "zh"
    vendor.run()
    assert vendor.error and not vendor.title


def test_page_walkthrough_on_a_dataset(home: Path) -> None:
    from privacy.ledger import budget_status
    from sandbox.demo.people import seed_people
    from tests.privacy.release_helpers import STEWARD, people

    seed_people()
    folder = home / "demo" / "trial_data"
    folder.mkdir(parents=True)
    people(300).to_csv(folder / "data.csv", index=False, encoding="utf-8-sig")
    at = _page().run()
    assert not at.exception
    assert any(m.label == "k" for m in at.metric)
    assert len(at.dataframe) >= 2  # before / after preview
    at.button(key="rel_run_dp").click().run()
    assert not at.exception
    assert budget_status(actor=STEWARD, dataset="trial_data")["epsilon_spent"] == 0.5
