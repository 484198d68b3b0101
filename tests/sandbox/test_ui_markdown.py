"""Text from uploads shown in Markdown elements stays text (sandbox.ui.md_escape / trm / error_text)."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from sandbox.ui import md_escape

HOSTILE = [
    "![x](http://203.0.113.5/pixel.png)",
    "[请点此核验](http://203.0.113.5/phish)",
    "工单_导出_v2.csv",
    "费用$100和$200",
    "*重要* **列** `code` <img src=x onerror=alert(1)>",
    "| a | b |\n|---|---|\n| c | d |",
    ":red[红色]",
    "C:\\数据\\12345.csv",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_text_renders_as_itself(value: str) -> None:
    html = MarkdownIt("commonmark").enable("table").render(md_escape(value))
    assert "<img" not in html and "<a " not in html and "<em>" not in html and "<strong>" not in html
    assert "<code>" not in html and "<table>" not in html and "<del>" not in html
    text = MarkdownIt("commonmark").render(md_escape(value.replace("\n", " ")))
    plain = text.removeprefix("<p>").removesuffix("</p>\n")
    expected = value.replace("\n", " ").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert plain == expected.replace('"', "&quot;")


def _error_page() -> None:
    from sandbox.errors import InputError
    from sandbox.ui import guarded

    def fail() -> None:
        raise InputError("audits.errors.label_not_binary", file="预测_v2.csv", column="![x](http://203.0.113.5/p.png)",
                         count=3, values="$1$, *2*, 3")

    guarded(fail)


def test_an_error_naming_a_vendors_column_shows_it_as_text() -> None:
    at = AppTest.from_function(_error_page).run(timeout=30)
    shown = at.error[0].value
    assert "!\\[x\\](http://203.0.113.5/p.png)" in shown
    assert "\\$1\\$, \\*2\\*" in shown and "预测\\_v2.csv" in shown
    html = MarkdownIt("commonmark").render(shown)
    assert "<img" not in html and "<em>" not in html and "203.0.113.5/p.png" in html
