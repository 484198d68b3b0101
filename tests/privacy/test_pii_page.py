"""个人信息扫描 page (AppTest): pick a dataset, scan, see the summary and highlighted findings."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sandbox.settings import get_settings
from sandbox.users import add_user

ROOT = Path(__file__).resolve().parents[2]
TICKET = "市民王秀英（身份证号11010519491231002X）来电反映，其住在朝阳区建国路88号3号楼2单元501室，联系电话13812345678。"


def _page(actor: object, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "workbench_pages" / "pii_scan.py"), default_timeout=60)
    at.session_state["actor"] = actor
    at.session_state["lang"] = lang
    return at


def test_page_scans_a_demo_dataset(home: Path) -> None:
    steward = add_user(username="steward", password="steward-pass-1", role="steward")
    folder = get_settings().ensure_home() / "demo" / "hotline"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text(f"编号,工单内容\n1,{TICKET}\n2,咨询公交线路\n", encoding="utf-8-sig")
    at = _page(steward).run()
    assert not at.exception
    assert at.title[0].value == "个人信息扫描"
    at.button(key="pii_scan").click().run()
    assert not at.exception and not at.error
    assert "发现 4 处个人信息" in at.warning[0].value
    assert len(at.dataframe) == 2
    findings = at.dataframe[1].value
    assert "110***********002X" in set(findings.iloc[:, 4])
    assert any("<mark" in md.value for md in at.markdown)


def test_page_without_demo_data_in_english(home: Path) -> None:
    steward = add_user(username="steward", password="steward-pass-1", role="steward")
    at = _page(steward, "en").run()
    assert not at.exception
    assert at.title[0].value == "PII scan"
    assert "No demo data yet" in at.info[0].value


def test_page_refuses_a_vendorless_reviewer(home: Path) -> None:
    reviewer = add_user(username="rev", password="reviewer-pass-1", role="reviewer")
    at = _page(reviewer).run()
    assert at.error and "privacy.scan" in at.error[0].value


def test_first_render_loads_no_scanner(home: Path) -> None:
    """Before the scan button nothing heavy is imported (Presidio, jieba, spaCy, MLflow), checked in a fresh process."""
    import os
    import subprocess
    import sys

    steward = add_user(username="steward", password="steward-pass-1", role="steward")
    folder = get_settings().ensure_home() / "demo" / "hotline"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text(f"编号,工单内容\n1,{TICKET}\n", encoding="utf-8-sig")
    code = (
        "import sys\nfrom streamlit.testing.v1 import AppTest\nfrom sandbox.users import actor_for\n"
        f"at = AppTest.from_file({str(ROOT / 'workbench_pages' / 'pii_scan.py')!r}, default_timeout=60)\n"
        "at.session_state['actor'] = actor_for('steward')\nat.session_state['lang'] = 'zh'\nat.run()\n"
        "assert not at.exception, at.exception\n"
        "print(at.selectbox(key='pii_demo').proto.placeholder)\n"
        "print([m for m in ('presidio_analyzer', 'jieba', 'spacy', 'mlflow') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False,
                          env={**os.environ, "SANDBOX_HOME": str(home)}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert steward.username == "steward"
    assert done.stdout.splitlines()[-2:] == ["请选择演示数据集", "[]"]


def test_highlighted_cells_are_text_not_markdown(home: Path) -> None:
    """A free-text cell (a citizen's ticket, a vendor's file) with Markdown or HTML is shown as written.

    The highlight is ``st.markdown(..., unsafe_allow_html=True)``: ``html.escape`` left
    ``![x](http://…)`` to Markdown, so the reviewer's browser fetched the image (seen in
    Chromium) — the column name's too.
    """
    from markdown_it import MarkdownIt

    steward = add_user(username="steward", password="steward-pass-1", role="steward")
    folder = get_settings().ensure_home() / "demo" / "hotline"
    folder.mkdir(parents=True)
    hostile = ("![x](http://203.0.113.5/cell.png) [核验](http://203.0.113.5/phish) <img src=http://203.0.113.5/h.png> "
               "$x$ *重要* &#33;&#91;y&#93;&#40;http://203.0.113.5/ref&#41;")
    column = "工单![c](http://203.0.113.5/col.png)"
    (folder / "data.csv").write_text(f"编号,{column}\n1,{hostile} {TICKET}\n", encoding="utf-8-sig")
    at = _page(steward).run()
    at.button(key="pii_scan").click().run()
    assert not at.exception and not at.error
    [shown] = [md.value for md in at.markdown if "<mark" in md.value]
    html = MarkdownIt("commonmark", {"html": True}).render(shown)
    assert "<img" not in html and "<a " not in html and "<em>" not in html
    # shown as written (the scanner may mask the address as an IP; the column name is not scanned)
    assert "工单![c](http://203.0.113.5/col.png)" in html and "![x](http://" in html and "<mark" in html
