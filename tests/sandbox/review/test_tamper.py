"""Tamper evidence: one changed byte anywhere is found; a killed signer leaves no half record."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import text

from sandbox.review import export_record, sign_record, verify_all, verify_file
from sandbox.review._crypto import canonical
from sandbox.store import session_scope

GROUP_FIELDS = {
    "A": "review_type", "B": "vendor_uscc", "C": "out_of_scope_uses", "D": "retention_until", "E": "policy",
    "F": "risk_tier", "G": "checklist", "H": "conditions", "I": "next_review", "J": "signers_required",
    "K": "retention_basis",
}
SIGNERS = [("chair", "approved"), ("reviewer", "reviewed"), ("steward", "reviewed"), ("vendor_a", "acknowledged")]


def _signed_record(world) -> str:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    for username, meaning in SIGNERS:
        sign_record(actor=world.actor(username), record_id=rec, password=world.password, meaning=meaning)
    return rec


def _flip_in(text_: str, start: int, end: int) -> str:
    """Change the first ASCII letter/digit inside a string literal between start and end."""
    inside = False
    for i in range(start, end):
        ch = text_[i]
        if ch == '"':
            inside = not inside
        elif inside and ch.isascii() and ch.isalnum():
            new = str((int(ch) + 1) % 10) if ch.isdigit() else ("a" if ch in "zZ" else chr(ord(ch) + 1))
            return text_[:i] + new + text_[i + 1:]
    raise AssertionError("nothing to flip")


def _span(payload: str, doc: dict, group: str, field: str) -> tuple[int, int]:
    block = canonical(doc["groups"][group])
    base = payload.index(block)
    needle = f'"{field}":' + canonical(doc["groups"][group][field])
    at = block.index(needle) + len(field) + 3
    return base + at, base + block.index(needle) + len(needle)


def _tamper_db(sql: str, **params: object) -> None:
    """What an attacker with the database file does: drop the trigger, update, put it back."""
    with session_scope() as s:
        s.execute(text("DROP TRIGGER review_entries_no_update"))
        s.execute(text(sql), params)
        s.execute(text("CREATE TRIGGER review_entries_no_update BEFORE UPDATE ON review_entries "
                       "BEGIN SELECT RAISE(ABORT, 'review_entries is append-only'); END"))


def _record_row() -> tuple[int, str]:
    with session_scope() as s:
        return tuple(s.execute(text("SELECT id, payload FROM review_entries WHERE kind='record'")).one())  # type: ignore[return-value]


def test_stored_record_one_changed_byte_in_every_group_is_named(world) -> None:  # type: ignore[no-untyped-def]
    rec = _signed_record(world)
    row_id, payload = _record_row()
    for group, field in GROUP_FIELDS.items():
        start, end = _span(payload, json.loads(payload), group, field)
        _tamper_db("UPDATE review_entries SET payload = :p WHERE id = :i", p=_flip_in(payload, start, end), i=row_id)
        result = verify_all(actor=world.actor("reviewer"))
        assert result["ok"] is False
        assert (result["record"], result["field"]) == (rec, f"{group}.{field}")
    _tamper_db("UPDATE review_entries SET payload = :p WHERE id = :i", p=payload, i=row_id)
    assert verify_all(actor=None)["ok"]


def test_stored_signature_chain_and_hash_columns(world) -> None:  # type: ignore[no-untyped-def]
    rec = _signed_record(world)
    with session_scope() as s:
        sig_id, sig_seq, payload = s.execute(text(
            "SELECT id, seq, payload FROM review_entries WHERE kind = 'signature' ORDER BY seq LIMIT 1 OFFSET 1")).one()
    signed_at = payload.index('"signed_at":"') + 13
    _tamper_db("UPDATE review_entries SET payload = :p WHERE id = :i",
               p=_flip_in(payload, signed_at - 1, signed_at + 25), i=sig_id)
    result = verify_all(actor=None)
    assert (result["record"], result["field"]) == (rec, "J.signatures[reviewer].signature")
    _tamper_db("UPDATE review_entries SET payload = :p WHERE id = :i", p=payload, i=sig_id)
    assert verify_all(actor=None)["ok"]
    _tamper_db("UPDATE review_entries SET prev_hash = :h WHERE seq = :n", h="f" * 64, n=sig_seq + 1)
    assert verify_all(actor=None)["field"] == "K.prev_hash"


def test_deleted_signature_breaks_the_chain(world) -> None:  # type: ignore[no-untyped-def]
    _signed_record(world)
    with session_scope() as s:
        s.execute(text("DROP TRIGGER review_entries_no_delete"))
        s.execute(text("DELETE FROM review_entries WHERE seq = 3"))
    result = verify_all(actor=None)
    assert not result["ok"] and result["field"] == "K.chain_seq"


def test_exported_record_one_changed_byte_in_every_group_is_named(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rec = _signed_record(world)
    out = tmp_path / "record.json"
    export_record(actor=world.actor("chair"), record_id=rec, fmt="json", out=out)
    assert verify_file(out)["ok"]
    raw = out.read_text(encoding="utf-8")
    doc = json.loads(raw)["record"]
    bad = tmp_path / "bad.json"
    for group, field in GROUP_FIELDS.items():
        needle = f'"{field}": '
        start = raw.index(needle, raw.index(f'    "{group}": {{'))
        end = start + len(needle) + len(canonical(doc["groups"][group][field], pretty=True)) + 400
        bad.write_text(_flip_in(raw, start + len(needle) - 2, end), encoding="utf-8")
        result = verify_file(bad)
        assert result["ok"] is False
        assert (result["record"], result["field"]) == (rec, f"{group}.{field}")
    sig_at = raw.index('"signature": "') + 13  # the value's opening quote
    bad.write_text(_flip_in(raw, sig_at, sig_at + 80), encoding="utf-8")
    assert verify_file(bad)["field"].startswith("J.signatures[")


def test_exported_record_any_flipped_byte_is_detected(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rec = _signed_record(world)
    out = tmp_path / "record.json"
    export_record(actor=world.actor("chair"), record_id=rec, fmt="json", out=out)
    raw = out.read_bytes()
    rng = random.Random(8)
    bad = tmp_path / "bad.json"
    for position in sorted(rng.sample(range(len(raw)), 250)):
        flipped = bytearray(raw)
        flipped[position] ^= rng.choice([0x01, 0x02, 0x20, 0x80])
        bad.write_bytes(bytes(flipped))
        assert verify_file(bad)["ok"] is False, position


def test_export_verifies_without_the_database(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rec = _signed_record(world)
    out = tmp_path / "record.json"
    export_record(actor=world.actor("chair"), record_id=rec, fmt="json", out=out)
    code = "import sys, json; from sandbox.review import verify_file; print(json.dumps(verify_file(sys.argv[1])))"
    env = {**os.environ, "SANDBOX_HOME": str(tmp_path / "elsewhere")}
    proc = subprocess.run([sys.executable, "-c", code, str(out)], env=env, capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == {"ok": True, "records": 1, "signatures": 4, "votes": 7, "condition_steps": 0}
    assert not (tmp_path / "elsewhere" / "sandbox.db").exists()
    keys = json.loads(out.read_text(encoding="utf-8"))["public_keys"]
    assert sorted(keys) == ["chair", *[f"reviewer{i}" for i in ("", 2, 3, 4, 5, 6)], "steward", "vendor_a"]


KILLER = """
import os, signal, sys
import sandbox.review.{module} as target
from sandbox.review import sign_record, decide
from sandbox.users import actor_for
original = target.append_entry
def append_then_die(*args, **kwargs):
    row = original(*args, **kwargs)   # written and flushed, not committed
    os.kill(os.getpid(), signal.SIGKILL)
target.append_entry = append_then_die
{call}
"""


def _run_killed(module: str, call: str) -> None:
    script = KILLER.format(module=module, call=textwrap.dedent(call))
    proc = subprocess.run([sys.executable, "-c", script], env=dict(os.environ), capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def _count() -> int:
    with session_scope() as s:
        return int(s.execute(text("SELECT count(*) FROM review_entries")).scalar() or 0)


def test_killed_while_signing_leaves_no_signature(world) -> None:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    before = _count()
    _run_killed("_signing", f"sign_record(actor=actor_for('chair'), record_id={rec!r}, password='sandbox-demo', "
                            "meaning='approved')")
    assert _count() == before
    assert verify_all(actor=None)["ok"]
    sign_record(actor=world.actor("chair"), record_id=rec, password=world.password, meaning="approved")
    assert _count() == before + 1 and verify_all(actor=None)["ok"]


def test_killed_while_deciding_leaves_no_record(world) -> None:  # type: ignore[no-untyped-def]
    from sandbox.review import show_review

    world.to_decision()
    # a second review, killed when its record is appended
    from sandbox.review import CHECKLIST, answer_item, open_review, record_attendance, vote

    chair = world.actor("chair")
    rid = open_review(actor=chair, trial_id=world.trials["pension"], questionnaire={})["review_id"]
    record_attendance(actor=chair, review_id=rid, present=["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4"])
    for item in CHECKLIST:
        answer_item(actor=chair, review_id=rid, item=item, answer="yes")
    for u in ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4"]:
        vote(actor=world.actor(u), review_id=rid, choice="批准", password=world.password)
    before = _count()
    _run_killed("_service", f"decide(actor=actor_for('chair'), review_id={rid}, decision='批准')")
    assert _count() == before and show_review(actor=chair, review_id=rid)["status"] == "open"
    assert verify_all(actor=None)["ok"]
