"""Anchored chain: a published head catches a rollback or a rewrite of the newest entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.errors import InputError
from sandbox.review import (
    chain_heads,
    export_record,
    head_document,
    head_text,
    parse_expected_head,
    sign_record,
    verify_all,
    verify_file,
    verify_message,
)
from sandbox.review._crypto import canonical
from sandbox.store import session_scope


def _signed(world) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    decided = world.to_decision()
    assert decided["head"]["seq"] == 8  # seven signed votes, then the record
    rec = decided["record_id"]
    last = None
    for username, meaning in [("chair", "approved"), ("reviewer", "reviewed"), ("steward", "reviewed")]:
        last = sign_record(actor=world.actor(username), record_id=rec, password=world.password, meaning=meaning)
    assert last is not None and last["head"] == chain_heads(actor=None)[0]
    return rec, last["head"]


def _roll_back(count: int) -> None:
    """What an attacker with the database file does: drop the trigger, delete the newest entries, put it back."""
    with session_scope() as s:
        s.execute(text("DROP TRIGGER review_entries_no_delete"))
        s.execute(text("DELETE FROM review_entries WHERE seq > (SELECT max(seq) FROM review_entries) - :n"), {"n": count})
        s.execute(text("CREATE TRIGGER review_entries_no_delete BEFORE DELETE ON review_entries "
                       "BEGIN SELECT RAISE(ABORT, 'review_entries is append-only'); END"))


def _cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_rollback_of_the_last_two_entries_is_caught_by_the_published_head(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _rec, head = _signed(world)
    published = tmp_path / "head.json"
    assert _cli("review", "head", "--out", str(published), "--json").exit_code == 0
    assert json.loads(published.read_text(encoding="utf-8"))["heads"][0]["text"] == head_text(head)
    assert verify_all(actor=None, expect_heads=parse_expected_head(str(published)))["heads_checked"] == 1
    _roll_back(2)
    assert verify_all(actor=None)["ok"]  # the shortened chain is consistent in itself …
    result = verify_all(actor=None, expect_heads=parse_expected_head(head_text(head)))  # … the head is not in it
    assert not result["ok"] and result["reason_key"] == "review.verify.head_shorter"
    assert result["params"] == {"committee": head["committee_name"], "published": 11, "now": 9}
    assert verify_message(result, "zh") == (
        f"核验失败：{head['committee_name']} 的记录链与已公布的链头不符：记录链比已公布的链头短：已公布到第 11 条，"
        "数据库中只有 9 条——最新的记录被删除或回滚了。请从备份恢复并查明原因。")
    for expect in (str(published), head_text(head), head["hash"]):
        done = _cli("--lang", "en", "verify", "--all", "--expect-head", expect)
        assert done.exit_code == 3, done.output
        assert "does not match the published head" in done.stderr
    assert "is in no chain" in _cli("--lang", "en", "verify", "--all", "--expect-head", head["hash"]).stderr
    assert _cli("verify", "--all", "--expect-head", "9:" + chain_heads(actor=None)[0]["hash"]).exit_code == 0


def test_a_rewritten_chain_is_a_fork(world) -> None:  # type: ignore[no-untyped-def]
    rec, head = _signed(world)
    _roll_back(2)
    sign_record(actor=world.actor("reviewer2"), record_id=rec, password=world.password, meaning="reviewed")
    sign_record(actor=world.actor("reviewer3"), record_id=rec, password=world.password, meaning="reviewed")
    assert chain_heads(actor=None)[0]["seq"] == head["seq"]  # as long as before, but another history
    result = verify_all(actor=None, expect_heads=parse_expected_head(head_text(head)))
    assert result["reason_key"] == "review.verify.head_forked" and result["params"]["seq"] == 11
    assert "was rewritten at or before it (forked)" in verify_message(result, "en")


def test_export_carries_the_head_and_serves_as_one(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rec, head = _signed(world)
    out = tmp_path / "record.json"
    export_record(actor=world.actor("chair"), record_id=rec, fmt="json", out=out)
    assert json.loads(out.read_text(encoding="utf-8"))["chain_head"] == head
    assert verify_file(out)["ok"]
    md = tmp_path / "record.md"
    export_record(actor=world.actor("chair"), record_id=rec, fmt="md", out=md)
    assert head_text(head) in md.read_text(encoding="utf-8")
    assert _cli("verify", "--all", "--expect-head", str(out)).exit_code == 0
    _roll_back(1)
    done = _cli("verify", "--all", "--expect-head", str(out), "--json")
    assert done.exit_code == 3 and json.loads(done.stdout)["reason_key"] == "review.verify.head_shorter"
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["chain_head"]["seq"] = 10  # someone edits the head in the file
    out.write_text(canonical(doc, pretty=True), encoding="utf-8")
    assert verify_file(out)["field"] == "export_sha256"


def test_unknown_or_malformed_heads_are_clear_errors(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _signed(world)
    done = _cli("--lang", "en", "verify", "--all", "--expect-head", "ab" * 32)
    assert done.exit_code == 3 and "the published head abababababababab… is in no chain" in done.stderr
    done = _cli("verify", "--all", "--expect-head", "99:" + "ab" * 32, "--json")
    assert done.exit_code == 3 and json.loads(done.stdout)["params"]["published"] == 99
    done = _cli("--lang", "en", "verify", "--all", "--expect-head", "12:xyz")
    assert done.exit_code == 1 and "\"12:xyz\" is neither a chain head" in done.stderr
    not_a_head = tmp_path / "notes.json"
    not_a_head.write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_expected_head(str(not_a_head))
    assert err.value.key == "review.head_bad_file" and "notes.json" in err.value.render("zh")
    copied = tmp_path / "head.txt"
    copied.write_text(head_text(chain_heads(actor=None)[0]) + "\n", encoding="utf-8")
    assert verify_all(actor=None, expect_heads=parse_expected_head(str(copied)))["ok"]
    assert head_document(actor=None)["heads"][0]["seq"] == 11
