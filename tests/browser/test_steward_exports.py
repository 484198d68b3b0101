"""A data steward's own messy exports on 数据发布 (session 8): what the page writes is searched for the secrets.

The same files as ``tests/privacy/test_deid_steward.py`` (a tab-separated 人社
list with title lines, a 乡镇 roster whose address is split over columns, a
totals and signature footer), uploaded through the page's file uploader, scanned,
de-identified; the de-identified file is downloaded as a person would and
searched for names, ID digits, dates of birth, phones and door numbers.
"""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook

from sandbox.i18n import t
from tests.browser.wb_actions import as_user, choose, click, upload, widget
from tests.browser.wb_driver import error_boxes, settle, visible_text, watch

pytestmark = pytest.mark.browser

ROWS = [
    ["2026年特困供养人员名册（翠苑街道、五常街道）"],
    ["序号", "姓名", "身份证号", "出生年月", "省", "市", "区县", "乡镇街道", "村社区", "门牌号", "联系电话"],
    ["1", "刘德胜", "330110195702280199", "1957.02.28", "浙江省", "杭州市", "余杭区", "五常街道", "荆山湾村", "4组17号",
     "13706812250"],
    ["2", "赵淑珍", "330110193611300642", "36年11月", "浙江省", "杭州市", "余杭区", "仓前街道", "葛巷村", "6组9号",
     "18958023377"],
    ["3", "张　伟", "330102196201180573", "1962-1-18", "浙江省", "杭州市", "西湖区", "翠苑街道", "翠苑一区", "15幢402",
     "15888012346"],
    ["4", "SMITH JOHN", "E48213579", "1990.03.12", "浙江省", "杭州市", "西湖区", "翠苑街道", "翠苑一区", "7幢3单元201室",
     ""],
    [""],
    ["合计：4人"],
    ["制表人：王晓燕　审核人：刘建国　联系电话：0571-86012345"],
]
SECRETS = ("刘德胜", "赵淑珍", "张伟", "SMITHJOHN", "330110195702280199", "19570228", "1957.02.28", "36年11月",
           "13706812250", "18958023377", "4组17号", "6组9号", "15幢402", "7幢3单元201室", "荆山湾村", "葛巷村",
           "E48213579", "王晓燕", "刘建国", "86012345")


def _files(folder: Path) -> list[Path]:
    txt = folder / "特困供养名册.txt"
    txt.write_bytes("\r\n".join("\t".join(row) for row in ROWS).encode("utf-16"))
    book = Workbook()
    for row in ROWS:
        book.active.append([v or None for v in row])
    xlsx = folder / "特困供养名册.xlsx"
    book.save(xlsx)
    return [txt, xlsx]


def test_steward_exports_come_out_clean_on_the_release_page(wb_page: Any, workbench_url: str,
                                                           tmp_path: Path) -> None:
    for n, source in enumerate(_files(tmp_path)):
        page = wb_page if n == 0 else wb_page.context.new_page()  # a fresh session per file
        watch(page)
        try:
            _one_file(page, workbench_url, source)
        finally:
            if page is not wb_page:
                page.close()


def _one_file(page: Any, workbench_url: str, source: Path) -> None:
    as_user(page, workbench_url, "steward", page_title=t("nav.data_release", "zh"))
    upload(page, "rel_upload", source)
    choose(page, "rel_dataset", source.name)
    click(page, "rel_scan", timeout_ms=300_000)
    assert error_boxes(page) == [], source.name
    shown = visible_text(page)
    assert "门牌号" in shown and "村社区" in shown, shown[-800:]  # the split address is personal information
    assert t("privacy.page.source_info", "zh", rows=4, columns=11) in shown  # no footer rows counted
    click(page, "rel_deid", timeout_ms=300_000)
    assert error_boxes(page) == [], source.name
    with page.expect_download() as download:
        widget(page, "rel_deid_download").locator("button").first.click()
    saved = Path(download.value.path())
    if download.value.suggested_filename.endswith(".xlsx"):  # a workbook comes back as a workbook
        with zipfile.ZipFile(saved) as book:
            xml = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
        assert [s for s in SECRETS if s in "".join(unicodedata.normalize("NFKC", xml).split())] == []
        written = pd.read_excel(saved, dtype=str, engine="calamine").to_csv(index=False)
    else:
        written = saved.read_text(encoding="utf-8-sig")
    settle(page, timeout_ms=300_000)  # the download button's click reruns the page
    plain = "".join(unicodedata.normalize("NFKC", written).split())
    assert [s for s in SECRETS if s in plain] == [], (source.name, written)
    assert len(written.strip().splitlines()) == 5, written  # header + 4 people


def test_the_issues_five_gbk_tickets_come_out_clean_on_the_release_page(wb_page: Any, workbench_url: str,
                                                                       tmp_path: Path) -> None:
    """Issue 14's acceptance in a real browser: the GBK tickets (free text under 来电内容), uploaded, scanned,
    de-identified and downloaded — no name, number or address of the five tickets is left in the file."""
    from tests.privacy.deid_cases import TICKET_SECRETS, write_tickets

    page = wb_page.context.new_page()
    watch(page)
    try:
        source = write_tickets(tmp_path / "12345工单.csv")
        as_user(page, workbench_url, "steward", page_title=t("nav.data_release", "zh"))
        upload(page, "rel_upload", source)
        choose(page, "rel_dataset", source.name)
        click(page, "rel_scan", timeout_ms=300_000)
        assert error_boxes(page) == []
        assert "来电内容" in visible_text(page)  # the free-text column is named as holding personal information
        click(page, "rel_deid", timeout_ms=300_000)
        assert error_boxes(page) == []
        with page.expect_download() as download:
            widget(page, "rel_deid_download").locator("button").first.click()
        written = Path(download.value.path()).read_text(encoding="utf-8-sig")
        settle(page, timeout_ms=300_000)
        plain = "".join(unicodedata.normalize("NFKC", written).split())
        assert [s for s in TICKET_SECRETS if "".join(s.split()) in plain] == [], written
        frame = pd.read_csv(Path(download.value.path()), dtype=str, encoding="utf-8-sig")
        assert list(frame.columns) == ["工单编号", "来电时间", "来电内容", "承办部门"]
        assert frame["工单编号"].tolist() == [f"GD2025030100{i}" for i in range(1, 6)]  # nothing else was touched
        assert frame["承办部门"].tolist()[0] == "市城管局"
    finally:
        page.close()
