"""README.md and docs/walkthrough.md show only pictures the browser tests take."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BROWSER_TESTS = ROOT / "tests" / "browser"


def _pictures(doc: Path, prefix: str) -> list[str]:
    return re.findall(rf"\]\(({re.escape(prefix)}screenshots/[^)]+\.png)\)", doc.read_text(encoding="utf-8"))


def _taken_by_a_browser_test(stem: str) -> bool:
    """Whether a browser test writes the picture ``stem`` (the names the tests build)."""
    tests = "\n".join(p.read_text(encoding="utf-8") for p in BROWSER_TESTS.glob("test_*.py"))
    if stem == "login_zh":
        return '"login_zh"' in tests
    journey = re.fullmatch(r"journey_([a-z_]+?)_(\d_[a-z_]+)", stem)
    if journey:  # shoot(screenshot, page, key, "<n>_<what>") in test_journeys.py, docs for SHOT_SCENARIO
        scenario, name = journey.groups()
        return f'"{name}"' in tests and f'SHOT_SCENARIO = "{scenario}"' in tests
    user = "vendor_a" if stem.startswith("vendor_a_") else stem.partition("_")[0]
    page = stem.removeprefix(f"{user}_")
    return f'("{user}", "{page}")' in tests or f'"{page.removesuffix("_result")}' in tests


@pytest.mark.parametrize(("doc", "prefix", "at_least"), [
    (ROOT / "docs" / "walkthrough.md", "", 10),
    (ROOT / "README.md", "docs/", 8),
])
def test_every_picture_exists_and_comes_from_the_browser_tests(doc: Path, prefix: str, at_least: int) -> None:
    pictures = _pictures(doc, prefix)
    assert len(pictures) >= at_least, f"{doc.name} shows {len(pictures)} pictures"
    missing = [p for p in pictures if not (doc.parent / p).is_file()]
    assert missing == []
    foreign = [p for p in pictures if not _taken_by_a_browser_test(Path(p).stem)]
    assert foreign == [], f"{doc.name}: pictures no browser test takes: {foreign}"


def test_readme_walks_through_every_role() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for role in ("供应商 Vendor", "审查员 Reviewer", "数据管理员 Data steward", "伦理委员会 Committee", "管理员 Admin"):
        assert role in readme, role
