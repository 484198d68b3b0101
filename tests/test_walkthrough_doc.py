"""docs/walkthrough.md shows only pictures the browser tests take."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_picture_exists_and_comes_from_the_browser_tests() -> None:
    text = (ROOT / "docs" / "walkthrough.md").read_text(encoding="utf-8")
    pictures = re.findall(r"\]\((screenshots/[^)]+\.png)\)", text)
    assert len(pictures) >= 10
    missing = [p for p in pictures if not (ROOT / "docs" / p).is_file()]
    assert missing == []
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "browser").glob("test_*.py"))
    for picture in pictures:
        stem = Path(picture).stem
        user, _, page = stem.partition("_a_") if stem.startswith("vendor_a_") else stem.partition("_")
        user = "vendor_a" if stem.startswith("vendor_a_") else user
        assert stem == "login_zh" or f'("{user}", "{page}")' in tests, f"{picture} is not taken by a browser test"
