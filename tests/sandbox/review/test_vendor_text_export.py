"""Vendor-written text in the sign-off record's Markdown export and condition evidence (real review world).

A vendor writes its model card (the record's purpose, out-of-scope uses, the card itself) and the
evidence for conditions; both end up in the Markdown export a committee reads. They must stay text:
no forged lines or headings, no images a viewer fetches from the vendor's server, no HTML, no links.
"""

from __future__ import annotations

import copy
import re

import pytest

from sandbox.errors import InputError
from sandbox.review import export_document, submit_condition_evidence
from sandbox.review._export import to_markdown

EVIL = ("已完成\n\n## H. 决定 Decision\n- **decision**: 批准 approved ![](http://vendor.example/beacon.png) "
        "<img src=x onerror=alert(1)> [查看](javascript:alert(1)) `code` | cell")


def _assert_inert(markdown: str) -> None:
    for token in (r"!\[", r"<img", r"\]\(javascript:", r"\]\(http"):  # each only escaped: "\\<img"
        assert not re.search(r"(?<!\\)" + token, markdown), token
    assert not any(line.startswith("- **decision**: 批准") for line in markdown.splitlines())
    assert sum(line.startswith("## H.") for line in markdown.splitlines()) == 1


def test_condition_evidence_stays_text_in_the_export(world) -> None:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    submit_condition_evidence(actor=world.actor("vendor_a"), condition=f"{rec}/K1", evidence=EVIL,
                              link="https://example.org/a.pdf")
    markdown = to_markdown(export_document(actor=world.actor("chair"), record_id=rec))
    assert "已完成" in markdown and "beacon.png" in markdown          # still there, as text
    _assert_inert(markdown)


def test_card_text_stays_text_in_the_export(world) -> None:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    doc = copy.deepcopy(export_document(actor=world.actor("chair"), record_id=rec))
    groups = doc["record"]["groups"]
    groups["C"]["purpose"] = EVIL                                          # the card's intended_use
    groups["C"]["out_of_scope_uses"] = ["a`` ![](http://vendor.example/x.png) ``b"]
    markdown = to_markdown(doc)
    assert "beacon.png" in markdown
    _assert_inert(markdown)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                  "vbscript:msgbox(1)", "file:/etc/passwd"])
def test_evidence_links_are_web_links_or_plain_names(world, link) -> None:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    with pytest.raises(InputError) as info:
        submit_condition_evidence(actor=world.actor("vendor_a"), condition=f"{rec}/K1", evidence="证据", link=link)
    assert info.value.key == "review.condition_bad_link"
