"""A record export anyone can hand a reviewer (records page upload, ``sandbox review verify FILE``) never crashes.

Before: 100,000 × ``[`` raised RecursionError out of ``verify_bytes`` — a traceback on the
records page instead of "核验失败". Now every such file is a failed verification with a message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.review import verify_bytes, verify_message

DEEP = b"[" * 100_000
DEEP_INSIDE = b'{"format": "sandbox-signoff/1", "record": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.mark.parametrize("raw", [DEEP, DEEP_INSIDE, b'{"record": {"header": {"record_id": "R-1"}}, "signatures": 7}',
                                 b"\xff\xfe", b"NaN"], ids=["deep", "deep_inside", "wrong_types", "not_utf8", "nan"])
def test_hostile_exports_fail_verification_with_a_message(home: Path, raw: bytes) -> None:
    result = verify_bytes(raw, name="记录.json")
    assert result["ok"] is False
    zh, en = verify_message(result, "zh"), verify_message(result, "en")
    assert zh.startswith("核验失败") and "fail" in en.lower()


def test_a_deeply_nested_expected_head_file_is_a_message(home: Path, tmp_path: Path) -> None:
    from sandbox.errors import InputError
    from sandbox.review._head import parse_expected_head

    path = tmp_path / "head.json"
    path.write_bytes(DEEP)
    with pytest.raises(InputError) as caught:
        parse_expected_head(str(path))
    assert caught.value.key == "review.head_bad_file" and "head.json" in caught.value.render("zh")


def test_a_deeply_nested_jsonl_line_is_a_message(home: Path, tmp_path: Path) -> None:
    from sandbox.errors import InputError
    from sandbox.tabular import read_table

    path = tmp_path / "工单.jsonl"
    path.write_bytes(b'{"text": "ok"}\n' + DEEP + b"\n")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == "errors.jsonl_line" and caught.value.params["line"] == 2
