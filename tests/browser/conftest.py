"""Browser fixtures: one demo world, one ``streamlit run`` server, one chromium.

The suite is part of the product's guarantee: if Debian's chromium or the
playwright package is missing, every browser test FAILS with a message saying
how to install it (``make install``) — it never skips.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests._servers import stop_group
from tests._worlds import relocated_copy
from tests.browser.wb_driver import CHROMIUM, CHROMIUM_ARGS, INIT_JS, RenderReport, visit, watch

ROOT = Path(__file__).resolve().parents[2]
REPORT_DIR = ROOT / "build" / "browser"
SHOT_BUILD_DIR = ROOT / "build" / "screenshots"
SHOT_DOCS_DIR = ROOT / "docs" / "screenshots"
UPDATE_SHOTS = os.environ.get("SANDBOX_UPDATE_SCREENSHOTS") == "1"
SHOT_MAX_PX = 2600

REPORT = RenderReport()
LARGE_SOURCE_NAME = "回访名单"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not REPORT.rows:
        return
    json_path, md_path = REPORT.write(REPORT_DIR)
    terminalreporter.write_sep("-", "workbench render times (browser)")
    terminalreporter.write_line(REPORT.markdown())
    if REPORT.leaks:
        terminalreporter.write_line(f"Streamlit built-in English seen in Chinese mode: {REPORT.leaks}")
    terminalreporter.write_line(f"report: {md_path} · {json_path}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"SANDBOX_DB_URL", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "SANDBOX_LANG"}}
    env.update({
        "SANDBOX_HOME": str(home),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    })
    return env


@pytest.fixture(scope="session")
def chromium_ready() -> None:
    """Fail (never skip) with instructions when the browser stack is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian chromium is not installed at {CHROMIUM}: the browser tests are part of the "
            "product's guarantee. Run `make install` (apt-get install chromium) and retry. "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("The playwright Python package is missing: run `make install` "
                    "(it is in requirements.lock).", pytrace=False)


@pytest.fixture(scope="session")
def workbench_home(tmp_path_factory: pytest.TempPathFactory, chromium_ready: None, demo_home_path: Path) -> Path:
    """A private copy of the session's demo world for the server (journeys change it)."""
    return relocated_copy(demo_home_path, tmp_path_factory.mktemp("browser") / "home")


@pytest.fixture(scope="session")
def large_source(workbench_home: Path) -> tuple[str, Path, list[str]]:
    """A small Parquet file registered as a large source (Spark on local[2]): name, path and its raw values.

    Headers no policy names (客户, 证件, 手机, 备注), so the scan and the
    de-identification decide by content; the raw names, 身份证 and phone
    numbers must never reach the browser.
    """
    import pandas as pd

    from tests.privacy.deid_cases import write_unknown_headers

    csv_path, secrets = write_unknown_headers(workbench_home.parent / "回访名单.csv", rows=40)
    path = workbench_home.parent / "回访名单.parquet"
    pd.read_csv(csv_path, dtype=str, encoding="utf-8-sig").to_parquet(path, index=False)
    return LARGE_SOURCE_NAME, path, secrets


@pytest.fixture(scope="session")
def workbench_url(workbench_home: Path, large_source: tuple[str, Path, list[str]]) -> Iterator[str]:
    """``streamlit run app.py`` on a free 127.0.0.1 port, in its own process group (one large source registered)."""
    port = _free_port()
    env = _clean_env(workbench_home)
    env.update({"SANDBOX_LARGE_SOURCES": f"{large_source[0]}={large_source[1]}", "SANDBOX_SPARK_MASTER": "local[2]"})
    log_path = workbench_home.parent / "streamlit.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited ({proc.returncode}):\n{log_path.read_text(errors='replace')[-4000:]}",
                            pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not listen on port {port} within 90 s:\n"
                                f"{log_path.read_text(errors='replace')[-4000:]}", pytrace=False)
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        if proc.poll() is None:
            stop_group(proc, grace=15)
        log_text = log_path.read_text(errors="replace")
        if "Traceback" in log_text:
            print(f"streamlit server log had a traceback:\n{log_text[-4000:]}")


@pytest.fixture(scope="session")
def browser_context(chromium_ready: None) -> Iterator[Any]:
    """One headless chromium with a fresh user-data-dir for the whole session."""
    from playwright.sync_api import sync_playwright

    user_data = Path(tempfile.mkdtemp(prefix="sandbox-chromium-"))
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(user_data), executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS),
            viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(60_000)
        context.add_init_script(INIT_JS)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture(scope="session")
def warm_workbench(browser_context: Any, workbench_url: str) -> str:
    """Load the app once before any test looks at it (the first run imports the app's modules).

    The pages live in ``workbench_pages/``, not ``pages/``: with a ``pages/``
    folder beside app.py Streamlit ran the first script run of a server in its
    legacy multipage mode and the first click after a server start was lost.
    """
    page = browser_context.new_page()
    watch(page)
    try:
        visit(page, workbench_url)
    finally:
        page.close()
    return workbench_url


@pytest.fixture
def wb_page(browser_context: Any, warm_workbench: str) -> Iterator[Any]:
    """A fresh tab (a fresh Streamlit session) for one test, its script runs watched."""
    page = browser_context.new_page()
    watch(page)
    try:
        yield page
    finally:
        page.close()


@pytest.fixture(scope="session")
def render_report() -> RenderReport:
    return REPORT


@pytest.fixture(scope="session")
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, name, docs=False)``: full-page PNG into build/screenshots.

    With ``docs=True`` the picture is one of the walk-through's: it is also
    copied to ``docs/screenshots/`` when missing there, or always with
    ``SANDBOX_UPDATE_SCREENSHOTS=1`` (``make screenshots``) — the walk-through's
    pictures are the ones the tests took.
    """

    def take(page: Any, name: str, *, docs: bool = False) -> Path:
        SHOT_BUILD_DIR.mkdir(parents=True, exist_ok=True)
        target = SHOT_BUILD_DIR / f"{name}.png"
        # Streamlit scrolls inside its main container, so a "full page" shot is only the
        # viewport: grow the viewport to the content (capped) for the picture, then restore.
        size = page.viewport_size or {"width": 1280, "height": 900}
        height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                               "'[data-testid=\"stMain\"], [data-testid=\"stAppViewContainer\"]')]"
                               ".map(el => el.scrollHeight), 0)")
        page.set_viewport_size({"width": size["width"], "height": int(min(max(height, size["height"]), SHOT_MAX_PX))})
        try:
            page.wait_for_timeout(300)  # layout only (no script run): let the canvas tables repaint
            page.screenshot(path=str(target), full_page=True)
        finally:
            page.set_viewport_size(size)
        if docs and (UPDATE_SHOTS or not (SHOT_DOCS_DIR / target.name).exists()):
            SHOT_DOCS_DIR.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, SHOT_DOCS_DIR / target.name)
        return target

    return take
