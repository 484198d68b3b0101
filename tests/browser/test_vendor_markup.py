"""A hostile vendor's text makes the reviewer's chromium fetch nothing (session 9 red team; no mocks).

A copy of the demo world with (1) every model version's card version set to a
Markdown image whose address hides ``://`` in character references — what a card
could carry before ``models.card`` limited versions to letters, digits and
``. _ - +`` (an older data home still holds such versions) — and (2) a 12345
ticket whose text and column name are Markdown images, links and HTML. The admin
opens 模型登记 and scans the ticket on 个人信息扫描; every request chromium makes
is logged: none may leave 127.0.0.1. Before the fix: GET http://203.0.113.5:9/… from
both pages (the column name through the scan's progress bar text too), and the
workbench's own favicon (``page_icon=":material/balance:"``) from fonts.gstatic.com
on every page load — a download at run time that tells Google who opens the workbench.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests._servers import stop_group
from tests._worlds import relocated_copy
from tests.browser.conftest import ROOT, _clean_env, _free_port
from tests.browser.wb_driver import login, open_page, rerun, visible_text

BEACON = "![x](http&#58;&#47;&#47;203.0.113.5&#58;9&#47;registry.png)"
TICKET = ("市民反映 ![x](http://203.0.113.5:9/cell.png) <img src='http://203.0.113.5:9/html.png'> "
          "[核验](http://203.0.113.5:9/phish) 联系电话13812345678。")
COLUMN = "工单![c](http://203.0.113.5:9/column.png)"

pytestmark = pytest.mark.browser  # chromium + its own server: runs in CI's browser suite, beside the rest


@pytest.fixture(scope="module")
def hostile_url(demo_home_path: Path, tmp_path_factory: pytest.TempPathFactory, chromium_ready: None) -> Iterator[str]:
    home = relocated_copy(demo_home_path, tmp_path_factory.mktemp("vendor-markup") / "home")
    with sqlite3.connect(home / "sandbox.db") as db:
        assert db.execute("UPDATE model_versions SET card_version = ?", (BEACON,)).rowcount > 0
    hotline = home / "demo" / "hotline" / "data.csv"
    hotline.write_text(f"编号,{COLUMN}\n1,{TICKET}\n", encoding="utf-8-sig")
    port = _free_port()
    log_path = home.parent / "streamlit.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.headless", "true"],
            cwd=ROOT, env=_clean_env(home), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        import socket

        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited:\n{log_path.read_text(errors='replace')[-4000:]}", pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("streamlit did not listen within 90 s", pytrace=False)
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_group(proc, grace=15)


def test_vendor_markup_fetches_nothing_in_the_browser(browser_context: Any, hostile_url: str) -> None:
    page = browser_context.new_page()
    outside: list[str] = []

    def note(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            outside.append(request.url)

    page.on("request", note)
    try:
        login(page, hostile_url, "admin")
        open_page(page, "模型登记")
        text = visible_text(page)
        assert "![x](http://203.0.113.5:9/registry.png)" in text  # shown as the vendor wrote it, as text
        open_page(page, "个人信息扫描")
        rerun(page, page.get_by_role("button", name="开始扫描").click, timeout_ms=240_000)
        text = visible_text(page)
        assert "![x](http://" in text and "<img src=" in text and "[核验](http://" in text
        assert "![c](http://203.0.113.5:9/column.png)" in text
        page.wait_for_timeout(500)  # layout only: images start loading when their element is attached
    finally:
        page.close()
    assert outside == [], f"the reviewer's browser fetched: {outside}"
