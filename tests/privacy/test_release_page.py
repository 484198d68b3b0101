"""AppTest of the 数据发布 / Data release page: light first render, then every step by its button."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sandbox.users import actor_for
from tests._text import shown as as_read

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "workbench_pages" / "data_release.py")
KEYS = {"selectbox": ["rel_dataset", "rel_policy", "rel_sensitive"], "multiselect": ["rel_quasi", "rel_by"],
        "button": ["rel_scan", "rel_deid", "rel_risk", "rel_run_dp", "rel_create"], "number_input": ["rel_eps"],
        "text_input": ["rel_ds"]}


def _page(lang: str = "zh", user: str = "steward") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["actor"] = actor_for(user)
    at.session_state["lang"] = lang
    return at


def _activate(home: Path) -> None:
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    os.environ["SANDBOX_HOME"] = str(home)
    reset_settings_cache()
    reset_engines()


WALK_ROWS = 2_000


@pytest.fixture
def demo_copy(demo_home_path: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the session's demo world: the walk-through writes (scan log, spends, packages).

    Its 社会救助 table keeps its first ``WALK_ROWS`` rows (every column): the page's steps and what they show
    are the point here, and each step's figures are checked against the table the page read. The whole
    20,000-row table is scanned, de-identified and released by the browser journey
    (tests/browser/test_journeys.py); here its scan and de-identification were ~3/4 of the file's time.
    """
    from tests._worlds import relocated_copy

    home = relocated_copy(demo_home_path, tmp_path / "home")
    data = home / "demo" / "social_assistance" / "data.csv"
    frame = pd.read_csv(data, dtype=str, keep_default_na=False, nrows=WALK_ROWS, encoding="utf-8-sig")
    assert len(frame) == WALK_ROWS, f"{data}: fewer than {WALK_ROWS} rows"
    frame.to_csv(data, index=False, encoding="utf-8-sig")
    previous = os.environ.get("SANDBOX_HOME")
    _activate(home)
    yield home
    if previous is not None:
        _activate(Path(previous))


def _budget_text(at: AppTest) -> str:
    texts = [p.proto.text for p in at.get("progress")]
    return next(t for t in texts if "ε=" in t)


def test_page_imports_nothing_heavy() -> None:
    """Loading the page's modules pulls in neither Presidio/jieba/spaCy, nor MLflow, nor diffprivlib."""
    code = ("import sys, privacy.steward, privacy.deid, privacy.ledger, sandbox.ui; "
            "print([m for m in ('presidio_analyzer', 'presidio_anonymizer', 'jieba', 'spacy', 'mlflow', "
            "'diffprivlib') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_first_render_on_demo_shows_steps_and_budget(demo_home: Path) -> None:
    from privacy.ledger import budget_status

    at = _page().run()
    assert not at.exception
    assert at.title[0].value == "数据发布"
    assert [s.value[:2] for s in at.subheader] == ["1.", "2.", "3.", "4.", "5.", "6."]
    for kind, keys in KEYS.items():
        for key in keys:
            assert at.get(kind) and any(w.key == key for w in at.get(kind)), (kind, key)
    assert at.selectbox(key="rel_dataset").value == "social_assistance"
    for key in ("rel_dataset", "rel_policy", "rel_sensitive"):
        assert at.selectbox(key=key).proto.placeholder.startswith(("请选择", "不评估")), key
    for key in ("rel_quasi", "rel_by"):
        assert at.multiselect(key=key).proto.placeholder.startswith("请选择"), key
    assert at.multiselect(key="rel_by").value == ["街道镇", "年龄"]
    assert not at.metric and not at.dataframe  # nothing computed before a button
    status = budget_status(actor=actor_for("steward"), dataset="social_assistance")
    assert status["epsilon_spent"] > 0  # the demo charged this ledger
    left = status["epsilon_total"] - sum(s["epsilon"] for s in status["spends"])
    assert f"剩余 ε={left:g}" in _budget_text(at)


def test_page_in_english_and_vendor_is_refused(demo_home: Path) -> None:
    at = _page("en").run()
    assert not at.exception and at.title[0].value == "Data release"
    assert at.multiselect(key="rel_by").proto.placeholder == "Choose group columns"
    vendor = _page(user="vendor_a").run()
    assert vendor.error and not vendor.title


def test_walk_every_step_on_demo(demo_copy: Path) -> None:
    from privacy.ledger import budget_status
    from sandbox.tabular import read_table

    steward = actor_for("steward")
    source = demo_copy / "demo" / "social_assistance" / "data.csv"
    frame, _ = read_table(source)
    scenario = json.loads((source.parent / "scenario.json").read_text(encoding="utf-8"))
    at = _page().run()

    at.button(key="rel_scan").click().run()
    assert not at.exception and not at.error
    found = as_read(next(m.value for m in at.markdown if "已扫描全部" in m.value))
    assert f"{len(frame)} 行" in found and "CN_RESIDENT_ID" in found and "身份证号" in found

    at.button(key="rel_deid").click().run()
    assert not at.exception and not at.error
    before, after = at.dataframe[0].value, at.dataframe[1].value
    assert before["身份证号"].tolist() == frame["身份证号"].head(5).tolist()
    expected = [v[:6] + "*" * (len(v) - 10) + v[-4:] for v in frame["身份证号"].head(5)]
    assert after["身份证号"].tolist() == expected
    deid_files = list((demo_copy / "work" / "deid").rglob("*.deid.csv"))
    assert len(deid_files) == 1 and any(d.key == "rel_deid_download" for d in at.get("download_button"))
    released, _ = read_table(deid_files[0])
    assert not released["身份证号"].isin(frame["身份证号"]).any()

    at.button(key="rel_risk").click().run()
    assert not at.exception and not at.error
    quasi = at.multiselect(key="rel_quasi").value
    assert quasi == ["年龄", "性别", "街道镇"]
    k_shown = next(m.value for m in at.metric if m.label == "k")
    assert int(k_shown) == int(released.groupby(quasi, dropna=False).size().min())

    spent_before = budget_status(actor=steward, dataset="social_assistance")["epsilon_spent"]
    at.number_input(key="rel_eps").set_value(0.5).run()
    at.button(key="rel_run_dp").click().run()
    assert not at.exception and not at.error
    status = budget_status(actor=steward, dataset="social_assistance")
    assert status["epsilon_spent"] == pytest.approx(spent_before + 0.5)
    left = status["epsilon_total"] - sum(s["epsilon"] for s in status["spends"])
    assert f"剩余 ε={left:g}" in at.success[0].value and f"剩余 ε={left:g}" in _budget_text(at)
    table = at.dataframe[-1].value
    public = {d["name"] for d in scenario["districts"]}
    shown = {str(v) for v in table["街道镇"] if not str(v).endswith("（合并）")}
    assert shown <= public | {"其他"} and shown & public  # keys public, not taken from the data
    assert any("clamped" in c.value for c in at.caption)

    at.number_input(key="rel_eps").set_value(10.0).run()  # more than is left: refused, nothing spent
    at.button(key="rel_run_dp").click().run()
    assert not at.exception and at.error and "social_assistance" in as_read(at.error[0].value)
    assert budget_status(actor=steward, dataset="social_assistance")["spends"] == status["spends"]

    zips = set((demo_copy / "work" / "releases").glob("*.zip"))
    at.button(key="rel_create").click().run()
    assert not at.exception and not at.error
    assert "去标识化" in at.success[-1].value
    new = set((demo_copy / "work" / "releases").glob("*.zip")) - zips
    assert len(new) == 1 and new.pop().name in as_read(at.success[-1].value)
    assert budget_status(actor=steward, dataset="social_assistance")["spends"] == status["spends"]


def test_keys_from_data_is_an_explicit_opt_in(home: Path) -> None:
    from privacy.ledger import budget_status
    from sandbox.demo.people import seed_people
    from tests.privacy.release_helpers import STEWARD, people

    seed_people()
    folder = home / "demo" / "trial_data"
    folder.mkdir(parents=True)
    data = people(300)
    data.to_csv(folder / "data.csv", index=False, encoding="utf-8-sig")
    at = _page().run()
    assert not at.exception
    assert any("街道镇" in w.value for w in at.warning)  # no public list for these 街道/镇 names
    at.button(key="rel_run_dp").click().run()
    assert at.error and "街道镇" in at.error[0].value
    assert budget_status(actor=STEWARD, dataset="trial_data", missing_ok=True)["epsilon_spent"] == 0

    at.checkbox(key="rel_keys_from_data").check().run()
    assert any("泄露" in c.value for c in at.caption)
    at.button(key="rel_run_dp").click().run()
    assert not at.exception and not at.error
    assert budget_status(actor=STEWARD, dataset="trial_data")["epsilon_spent"] == 0.5
    table: pd.DataFrame = at.dataframe[-1].value
    assert set(data["街道镇"]) <= {str(v) for v in table["街道镇"]} | {"临安区（合并）"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_five_tickets_deidentified_on_the_page(home: Path, lang: str) -> None:
    """The issue's GBK tickets (free text in 来电内容) through step 3: every name, number and address replaced."""
    from sandbox.demo.people import seed_people
    from tests.privacy.deid_cases import TICKET_SECRETS, write_tickets

    seed_people()
    folder = home / "demo" / "tickets"
    folder.mkdir(parents=True)
    write_tickets(folder / "data.csv")
    at = _page(lang).run()
    assert not at.exception and at.selectbox(key="rel_dataset").value == "tickets"
    at.button(key="rel_deid").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = at.dataframe[1].value
    shown = after.to_csv(index=False)
    assert [s for s in TICKET_SECRETS if s in shown] == [], shown
    written = next((home / "work" / "deid").rglob("*.deid.csv")).read_text(encoding="utf-8-sig")
    assert [s for s in TICKET_SECRETS if s in written] == [], written
    counts = at.dataframe[2].value
    row = counts[counts.iloc[:, 0] == "来电内容"].iloc[0]
    assert "PHONE_NUMBER×2" in row.iloc[4] and "PERSON×" in row.iloc[4] and row.iloc[5] == "—"
    clean = "未发现个人信息" if lang == "zh" else "no personal information found"
    assert any(clean in m.value for m in at.markdown)
