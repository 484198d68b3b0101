"""Characters the PDF font cannot draw are named, not silently dropped (王𠮷 stays visible as 王〔U+20BB7〕)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sandbox.pdf_font import FONT, printable

pytestmark = pytest.mark.skipif(not FONT.exists(), reason="fonts-wqy-zenhei not installed")


def test_characters_outside_the_font_are_named() -> None:
    assert printable("委员：王𠮷、刘䶮、陶喆") == "委员：王〔U+20BB7〕、刘䶮、陶喆"  # Ext B named; Ext A 䶮 is in the font
    assert printable("普通文本 plain\n第二行") == "普通文本 plain\n第二行"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_a_signed_record_pdf_shows_a_rare_name_character(tmp_path: Path) -> None:
    from sandbox.review._pdf import _Doc

    doc = _Doc()
    doc.heading("签署人 王𠮷")
    doc.line("供应商联系人：王𠮷")
    doc.table(["姓名", "角色"], [["王𠮷", "主任委员"]], (60, 60))
    out = tmp_path / "r.pdf"
    doc.pdf.output(str(out))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("王〔U+20BB7〕") == 3, text
