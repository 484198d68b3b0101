"""The catalog: every key in both languages, same placeholders, used keys exist."""

from __future__ import annotations

import re
from pathlib import Path

from sandbox.i18n import LANGUAGES, catalog, placeholders, t

ROOT = Path(__file__).resolve().parents[2]
KEY_USE = re.compile(r"""(?:\btr|\bt|\bsay|Error|Denied|Violation)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def test_every_key_has_both_languages_and_same_placeholders() -> None:
    for key, entry in catalog().items():
        for language in LANGUAGES:
            assert entry.get(language), f"{key} has no {language}"
        assert placeholders(entry["zh"]) == placeholders(entry["en"]), key


def test_every_key_used_in_code_exists() -> None:
    missing = []
    for folder in ("sandbox", "audits", "models", "privacy", "workbench_pages"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in KEY_USE.findall(path.read_text(encoding="utf-8")):
                if key not in catalog():
                    missing.append((str(path.relative_to(ROOT)), key))
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    missing += [("app.py", k) for k in KEY_USE.findall(app) if k not in catalog()]
    assert missing == []


def test_translate_substitutes_and_falls_back_to_key() -> None:
    assert t("errors.file_empty", "en", file="a.csv").startswith("File a.csv is empty")
    assert t("no.such.key", "zh") == "no.such.key"
