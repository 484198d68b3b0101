"""Driving the workbench in Debian's chromium: launch, wait, log in, read the page.

Waits follow Streamlit's own protocol, never sleeps and never the DOM alone:
every script run starts with a ``new_session`` message and ends with a
``script_finished`` one on the page's websocket. :func:`watch` decodes those
frames (``streamlit.proto.ForwardMsg``) for a page; :func:`rerun` does an
action and waits for the run it causes to finish, then for the DOM to settle
(``data-test-script-state`` idle, connected, no skeletons, quiet for a moment).
A fast run (a language switch takes a few milliseconds) can start and finish
within one browser frame, so a DOM observer alone misses it; the protocol does
not.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from sandbox.demo import DEMO_PASSWORD
from sandbox.i18n import catalog

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "INIT_JS",
    "STREAMLIT_BUILTIN_ENGLISH",
    "RenderReport",
    "RunLog",
    "catalog_keys_in",
    "english_leaks",
    "error_boxes",
    "login",
    "nav_titles",
    "open_page",
    "progress_seen",
    "rerun",
    "set_language",
    "settle",
    "visible_text",
    "visit",
    "watch",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

# Text that Streamlit's own frontend renders in English whatever the app's
# language (it has no locale setting). Reported, not counted as a leak.
STREAMLIT_BUILTIN_ENGLISH: tuple[str, ...] = (
    "Skip to main content",
    "Press Enter to submit form",
    "Press Enter to apply",
    "Drag and drop file here",
    "Drag and drop files here",
    "Browse files",
    "per file",
    "Running...",
    # st.selectbox's default placeholder: pages that do not pass placeholder= show it (reported).
    "Choose an option",
    "Choose options",
)

# Installed in every document (``context.add_init_script``): remembers when the
# DOM's script state last changed (for the quiet period) and every progress bar
# or spinner text seen, so a short operation's progress is still noticed.
INIT_JS = """(() => {
  window.__sbChanged = Date.now();
  window.__sbProgress = [];
  const observer = new MutationObserver(() => { window.__sbChanged = Date.now(); });
  const progress = new MutationObserver(() => {
    for (const el of document.querySelectorAll('[data-testid="stProgress"], [data-testid="stSpinner"]')) {
      const text = (el.innerText || '').trim();
      const last = window.__sbProgress[window.__sbProgress.length - 1];
      if (last !== text) window.__sbProgress.push(text);
    }
  });
  const start = () => {
    observer.observe(document.documentElement, {
      attributes: true, subtree: true, attributeFilter: ['data-test-script-state', 'data-test-connection-state']});
    progress.observe(document.documentElement, {childList: true, subtree: true, characterData: true});
  };
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})()"""

_SETTLED_JS = """(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  return Date.now() - window.__sbChanged >= quietMs;
}"""

QUIET_MS = 150
POLL_MS = 25
_EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


@dataclass
class RunLog:
    """Script runs of one page, from the websocket: how many started, how many finished."""

    started: int = 0
    finished: int = 0
    last_status: int | None = None
    last_finished_at: float = 0.0

    def on_frame(self, payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg.FromString(bytes(payload))
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.started += 1
        elif kind == "script_finished":
            self.finished += 1
            self.last_status = message.script_finished
            self.last_finished_at = time.perf_counter()

    @property
    def idle(self) -> bool:
        """At least one run done, none under way, and the last one not cut short for a rerun."""
        return self.finished >= 1 and self.finished >= self.started and self.last_status != _EARLY_FOR_RERUN


_LOGS: dict[int, RunLog] = {}


def watch(page: Page) -> RunLog:
    """Start decoding the page's Streamlit websocket frames (call before the first ``goto``)."""
    log = _LOGS.setdefault(id(page), RunLog())
    if not getattr(page, "_sandbox_watched", False):
        page.on("websocket", lambda ws: ws.on("framereceived", log.on_frame))
        page.on("close", lambda _page: _LOGS.pop(id(page), None))
        page._sandbox_watched = True  # type: ignore[attr-defined]
    return log


def _wait(page: Page, condition: Callable[[], bool], timeout_ms: float, what: str) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout_ms / 1000:.0f} s (page {page.url}, "
                               f"runs {_LOGS.get(id(page))})")
        page.wait_for_timeout(POLL_MS)  # lets Playwright deliver websocket events


def _dom_settled(page: Page, timeout_ms: float) -> None:
    page.wait_for_function(_SETTLED_JS, arg=QUIET_MS, timeout=timeout_ms, polling=50)


def settle(page: Page, *, timeout_ms: float = 60_000) -> None:
    """Wait until no script run is under way (by the protocol) and the DOM has caught up."""
    log = watch(page)
    _wait(page, lambda: log.idle, timeout_ms, "an idle app")
    _dom_settled(page, timeout_ms)


def rerun(page: Page, action: Callable[[], Any], *, timeout_ms: float = 60_000,
          retry_after_ms: float = 10_000) -> float:
    """Do ``action`` (a click, a key press, an upload) and wait for the run it causes to finish.

    When no run has even started ``retry_after_ms`` after the action (the
    frontend dropped a click that landed while it was busy), the action is
    repeated once; that is safe because the server did nothing with the first.
    Returns the seconds from the action to the end of the run.
    """
    log = watch(page)
    settle(page, timeout_ms=timeout_ms)
    before = log.started
    start = time.perf_counter()
    action()
    try:
        _wait(page, lambda: log.started > before, retry_after_ms, "a script run after the action")
    except TimeoutError:
        action()
    _wait(page, lambda: log.started > before and log.idle, timeout_ms, "the end of the script run")
    seconds = log.last_finished_at - start
    _dom_settled(page, timeout_ms)
    return max(0.0, seconds)


def visit(page: Page, url: str, *, timeout_ms: float = 60_000) -> None:
    """Open ``url`` (a new Streamlit session) and wait for its first run to finish."""
    log = watch(page)
    before = log.started
    page.goto(url)
    _wait(page, lambda: log.started > before and log.idle, timeout_ms, f"the first run of {url}")
    _dom_settled(page, timeout_ms)


def login(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> float:
    """Open the workbench and log in with the form (Chinese is the default).

    Returns the seconds from pressing Enter to the settled home page.
    """
    visit(page, base_url)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    return rerun(page, lambda: page.get_by_label("密码", exact=True).press("Enter"))


def set_language(page: Page, lang: str) -> float:
    """Pick 中文 or English in the sidebar radio; returns the rerun's seconds."""
    label = {"zh": "中文", "en": "English"}[lang]
    radio = page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True)
    return rerun(page, radio.click)


def nav_titles(page: Page) -> list[str]:
    """Titles of the pages in the sidebar menu, in order."""
    links = page.locator('[data-testid="stSidebarNavLink"]')
    links.first.wait_for()
    return list(links.evaluate_all(_LINK_TEXT_JS))


_LINK_TEXT_JS = """els => els.map(el => {
  const clone = el.cloneNode(true);
  clone.querySelectorAll('[data-testid="stIconMaterial"]').forEach(n => n.remove());
  return clone.textContent.trim();
})"""


def progress_seen(page: Page) -> list[str]:
    """Texts of every progress bar or spinner state seen since the page loaded."""
    return list(page.evaluate("window.__sbProgress"))


def open_page(page: Page, title: str) -> float:
    """Click a sidebar menu entry and return seconds until the page has rendered."""
    link = page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first
    return rerun(page, link.click)


_TEXT_JS = """() => {
  const style = document.createElement('style');
  style.textContent = '[data-testid="stIconMaterial"], [data-testid="stSkipToContent"] {display: none !important}';
  document.head.appendChild(style);
  const text = document.querySelector('[data-testid="stApp"]').innerText;
  style.remove();
  const placeholders = [...document.querySelectorAll('[data-testid="stApp"] [placeholder]')]
    .filter(el => el.offsetParent !== null).map(el => el.getAttribute('placeholder')).filter(Boolean);
  return [text, ...placeholders].join(String.fromCharCode(10));
}"""


def visible_text(page: Page) -> str:
    """The text a person sees, input placeholders included (icon names and the skip link left out)."""
    return page.evaluate(_TEXT_JS)


def error_boxes(page: Page) -> list[str]:
    """Texts of every error alert and exception box on the page."""
    boxes = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    return [text.strip() for text in boxes.all_inner_texts()]


def catalog_keys_in(text: str) -> list[str]:
    """Catalog keys (``nav.home``, ``errors.x``) that appear verbatim: a missing translation."""
    keys = catalog().keys()
    prefixes = sorted({key.split(".", 1)[0] for key in keys}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w./-])(?:" + "|".join(map(re.escape, prefixes)) + r")\.[a-z0-9_]+(?:\.[a-z0-9_]+)*")
    return sorted({m.group(0) for m in pattern.finditer(text)})


_PHRASE = re.compile(r"[A-Za-z][A-Za-z']+(?:[ ,][A-Za-z][A-Za-z']+)+")


def _allowed_phrases() -> set[str]:
    """English phrases that the Chinese catalog itself uses (e.g. ``语言 / Language``)."""
    allowed: set[str] = set()
    for entry in catalog().values():
        allowed.update(m.group(0) for m in _PHRASE.finditer(entry.get("zh", "")))
    return allowed


def english_leaks(text: str, *, extra_allowed: Iterable[str] = ()) -> list[str]:
    """English UI text in what should be a Chinese page.

    Two signals: any English catalog string (of two words or more) shown
    verbatim, and any run of two or more English words that neither the Chinese
    catalog nor Streamlit's untranslatable chrome explains.
    """
    for chrome in (*STREAMLIT_BUILTIN_ENGLISH, *extra_allowed):
        text = text.replace(chrome, " ")
    leaks: set[str] = set()
    for entry in catalog().values():
        en, zh = entry.get("en", ""), entry.get("zh", "")
        for piece in re.split(r"\{[^}]*\}", en):
            piece = piece.strip(" .,:;()\"'")
            if en != zh and len(piece.split()) >= 2 and piece not in zh and piece in text:
                leaks.add(piece)
    allowed = _allowed_phrases()
    for match in _PHRASE.finditer(text):
        phrase = match.group(0)
        if phrase not in allowed and not any(phrase in ok for ok in allowed):
            leaks.add(phrase)
    return sorted(leaks)


@dataclass(kw_only=True)
class RenderReport:
    """Page render times per role and language, written as JSON and Markdown."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    leaks: list[dict[str, Any]] = field(default_factory=list)

    def add(self, *, role: str, lang: str, page: str, url: str, seconds: float, errors: int) -> None:
        self.rows.append({"role": role, "lang": lang, "page": page, "url": url,
                          "seconds": round(seconds, 3), "errors": errors})

    def markdown(self) -> str:
        lines = ["# Workbench page render times (browser, demo world)", "",
                 "Seconds from clicking the menu entry to the page settled (script idle, no skeletons).",
                 "Target: < 2 s per page (DESIGN.md §6). Measured, not asserted.", "",
                 "| role | lang | page | url | seconds | ≥ 2 s | error boxes |", "|---|---|---|---|---:|---|---:|"]
        for row in sorted(self.rows, key=lambda r: (r["role"], r["lang"], r["url"])):
            slow = "⚠" if row["seconds"] >= 2 else ""
            lines.append(f"| {row['role']} | {row['lang']} | {row['page']} | /{row['url']} | "
                         f"{row['seconds']:.3f} | {slow} | {row['errors']} |")
        if self.rows:
            worst = max(self.rows, key=lambda r: r["seconds"])
            lines += ["", f"Slowest: {worst['page']} ({worst['role']}, {worst['lang']}) {worst['seconds']:.3f} s; "
                      f"{sum(r['seconds'] >= 2 for r in self.rows)} of {len(self.rows)} renders ≥ 2 s."]
        return "\n".join(lines) + "\n"

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        json_path = folder / "browser-render-times.json"
        md_path = folder / "browser-render-times.md"
        json_path.write_text(json.dumps({"renders": self.rows, "leaks": self.leaks}, ensure_ascii=False, indent=2),
                             encoding="utf-8")
        md_path.write_text(self.markdown(), encoding="utf-8")
        return json_path, md_path

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
