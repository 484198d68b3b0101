"""大数据源（Spark） in a real browser: the steward scans and de-identifies a registered source, in Chinese.

The server runs the Spark jobs (local[2]) in the background; the page shows a
progress bar, then the result. No raw name, 身份证 or phone number of the
source may reach the browser — neither in the page's text nor in any
websocket frame the server sent.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sandbox.i18n import t
from tests.browser.wb_actions import as_user, click, pick_radio, widget
from tests.browser.wb_driver import english_leaks, error_boxes, progress_seen, settle, visible_text

pytestmark = [pytest.mark.browser, pytest.mark.spark, pytest.mark.timeout(1200)]

JOB_MS = 600_000  # Spark's first start on a loaded 2-core machine; a bound, not an expectation


def _result(page: Any) -> str:
    """Wait for the finished job's result box (the fragment reruns the page when the job ends)."""
    widget(page, "large_result").wait_for(timeout=JOB_MS)
    settle(page)
    return visible_text(page)


def test_steward_scans_and_deidentifies_a_large_source_without_showing_raw_values(  # type: ignore[no-untyped-def]
        wb_page: Any, workbench_url: str, large_source: tuple[str, Path, list[str]], screenshot: Any) -> None:
    name, _path, secrets = large_source
    frames: list[bytes] = []
    wb_page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
        payload if isinstance(payload, bytes) else payload.encode("utf-8"))))
    as_user(wb_page, workbench_url, "steward", page_title=t("nav.large_sources", "zh"))
    assert name in visible_text(wb_page)

    pick_radio(wb_page, "large_operation", t("large.op.scan", "zh"))
    click(wb_page, "large_run")
    text = _result(wb_page)
    assert not error_boxes(wb_page), error_boxes(wb_page)
    assert "扫描完成" in text and t("large.col.examples", "zh") in text
    assert any(p.startswith("Spark：") for p in progress_seen(wb_page)), progress_seen(wb_page)
    for column in ("客户", "证件", "手机", "备注"):
        assert column in text
    # masked examples are shown literally (st.table renders Markdown: unescaped, 138****5678 turned bold) …
    assert re.search(r"1\d{2}\*{4}\d{4}", text) and re.search(r"\d{3}\*{11}[\dX]{4}", text) and "\\*" not in text
    assert not [s for s in secrets if s in text]  # … and no raw value
    screenshot(wb_page, "large_sources_scan")

    pick_radio(wb_page, "large_operation", t("large.op.deid", "zh"))
    click(wb_page, "large_run")
    text = _result(wb_page)
    assert not error_boxes(wb_page), error_boxes(wb_page)
    assert "已去标识化" in text and "去标识化数据仍是个人信息，不是匿名化数据" in text and "已匿名化" not in text
    assert "回访名单.deid.parquet" in text and "复扫处理结果：未发现个人信息" in text
    assert not [s for s in secrets if s in text]
    assert english_leaks(text) == []
    screenshot(wb_page, "large_sources_deid")
    sent = b"".join(frames)
    assert sent and not [s for s in secrets if s.encode("utf-8") in sent]
