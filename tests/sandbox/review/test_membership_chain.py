"""Membership changes are record-chain entries: a rewritten, deleted or reordered change is named by
``verify --all`` and by the offline export check; published heads cover them; migration 0011 carries the
changes an older database kept in the activity log into the chain, in order, applied where they were made.

The tampering tests change the stored rows directly (triggers dropped, as someone with database access could).
"""

from __future__ import annotations

import copy
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.review import add_member, chain_heads, remove_member, show_committee, verify_all, verify_message
from sandbox.review._chain import entry_hash
from sandbox.review._crypto import canonical, sha256_text
from sandbox.review._export import export_document, export_record, to_markdown
from sandbox.review._verify import verify_document
from sandbox.store import reset_engines, session_scope
from sandbox.users import add_user
from tests.sandbox.review.conftest import ALL

R7 = {"username": "reviewer7", "category": "科技", "sex": "女", "affiliation": "市数据局", "is_chair": False}
R8 = {"username": "reviewer8", "category": "法律", "sex": "男", "affiliation": "市律师协会", "is_chair": False}
NOW = [u for u in ALL if u != "reviewer4"] + ["reviewer7", "reviewer8"]
CHANGED = "review.verify.membership_changed"


def _three_changes(world) -> None:  # type: ignore[no-untyped-def]
    """A decided record, then: reviewer7 joins, reviewer4 leaves, reviewer8 joins (chain entries 9, 10, 11)."""
    world.to_decision()
    admin = world.actor("admin")
    add_user(username="reviewer7", password=world.password, role="reviewer")
    add_user(username="reviewer8", password=world.password, role="reviewer")
    add_member(actor=admin, member=R7, reason="新聘委员")
    remove_member(actor=admin, username="reviewer4", reason="任期届满")
    add_member(actor=admin, member=R8, reason="补充法律委员")


def _tamper(change: Callable[[Session], None]) -> None:
    """Run ``change`` on the database with the chain's append-only triggers out of the way."""
    with session_scope() as s:
        for verb in ("update", "delete"):
            s.execute(text(f"DROP TRIGGER review_entries_no_{verb}"))
        change(s)
        for verb in ("UPDATE", "DELETE"):
            s.execute(text(f"CREATE TRIGGER review_entries_no_{verb.lower()} BEFORE {verb} ON review_entries "
                           "BEGIN SELECT RAISE(ABORT, 'review_entries is append-only'); END"))


def _relink(s: Session, first: int) -> None:
    """Renumber and re-hash the chain from entry ``first`` on, as a careful forger would."""
    rows = s.execute(text("SELECT id, committee_id, kind, record_id, payload FROM review_entries "
                          "WHERE seq >= :f ORDER BY seq"), {"f": first}).all()
    prev = s.execute(text("SELECT entry_hash FROM review_entries WHERE seq = :p"), {"p": first - 1}).scalar_one()
    for seq, (row_id, committee, kind, record_id, payload) in enumerate(rows, first):
        new = entry_hash(committee=committee, seq=seq, kind=kind, record_id=record_id, prev_hash=prev,
                         payload=json.loads(payload))
        s.execute(text("UPDATE review_entries SET seq = :seq, prev_hash = :prev, entry_hash = :h WHERE id = :i"),
                  {"seq": seq, "prev": prev, "h": new, "i": row_id})
        prev = new


def _reason(s: Session, seq: int, reason: str) -> None:
    payload = json.loads(s.execute(text("SELECT payload FROM review_entries WHERE seq = :q"), {"q": seq}).scalar_one())
    payload["membership"]["reason"] = reason
    s.execute(text("UPDATE review_entries SET payload = :p WHERE seq = :q"), {"p": canonical(payload), "q": seq})


def _swap(s: Session, a: int, b: int) -> None:
    rows = {seq: (rid, p) for seq, rid, p in s.execute(
        text("SELECT seq, record_id, payload FROM review_entries WHERE seq IN (:a, :b)"), {"a": a, "b": b})}
    for seq, other in ((a, b), (b, a)):
        s.execute(text("UPDATE review_entries SET record_id = :r, payload = :p WHERE seq = :q"),
                  {"r": rows[other][0], "p": rows[other][1], "q": seq})


class _Snapshot:
    """The database file before a tampering case, put back after it."""

    def __init__(self, home: Path) -> None:
        reset_engines()
        self.db, self.copy = home / "sandbox.db", home / "before.db"
        shutil.copyfile(self.db, self.copy)

    def back(self) -> None:
        reset_engines()
        for extra in ("-wal", "-shm"):
            Path(f"{self.db}{extra}").unlink(missing_ok=True)
        shutil.copyfile(self.copy, self.db)


def _bad(expect_heads: list[dict] | None = None) -> dict:
    result = verify_all(actor=None, expect_heads=expect_heads)
    assert not result["ok"], result
    return result


def test_rewritten_deleted_or_reordered_changes_are_named(world) -> None:  # type: ignore[no-untyped-def]
    _three_changes(world)
    result = verify_all(actor=None)
    assert result["ok"] and result["membership"] == 3 and result["entries"] == 11, result
    assert "3 membership change(s) checked" in verify_message(result, "en")
    published = chain_heads(actor=None)
    assert published[0]["seq"] == 11  # the head is the last change: published heads cover them
    snap = _Snapshot(world.home)

    _tamper(lambda s: _reason(s, 10, "个人原因"))  # rewritten in place
    bad = _bad()
    assert (bad["field"], bad["reason_key"]) == ("membership[2:reviewer4]", CHANGED) and "rewritten" in bad["reason"]
    assert "委员会成员变更记录被改写、删除或调换了顺序" in verify_message(bad, "zh")
    assert "membership changes were rewritten, deleted or reordered" in verify_message(bad, "en")
    snap.back()

    _tamper(lambda s: (_reason(s, 10, "个人原因"), _relink(s, 10)))  # rewritten, and the chain re-hashed after it
    bad = _bad()
    assert (bad["field"], bad["reason_key"]) == ("membership[3:reviewer8]", CHANGED)
    assert "does not link" in bad["reason"]
    snap.back()

    def delete_second(s: Session) -> None:
        s.execute(text("DELETE FROM review_entries WHERE seq = 10"))
        _relink(s, 10)

    _tamper(delete_second)  # deleted, the chain renumbered and re-hashed
    bad = _bad()
    assert (bad["field"], bad["reason_key"]) == ("membership[2:reviewer8]", CHANGED) and "deleted" in bad["reason"]
    snap.back()

    _tamper(lambda s: (_swap(s, 9, 10), _relink(s, 9)))  # reordered, re-hashed
    bad = _bad()
    assert (bad["field"], bad["reason_key"]) == ("membership[1:reviewer4]", CHANGED)
    snap.back()

    # the newest change deleted and the members table put back as before it: only a published head tells
    _tamper(lambda s: s.execute(text("DELETE FROM review_entries WHERE seq = 11")))
    bad = _bad()  # the table still has reviewer8
    assert (bad["field"], bad["reason_key"]) == ("committee_members", "review.verify.member_bad")
    with session_scope() as s:
        s.execute(text("DELETE FROM committee_members WHERE username = 'reviewer8'"))
    assert verify_all(actor=None)["ok"]
    bad = _bad(published)
    assert bad["reason_key"] == "review.verify.head_shorter" and bad["params"]["published"] == 11
    snap.back()
    assert verify_all(actor=None, expect_heads=published)["ok"]


def _resealed(doc: dict) -> dict:
    body = {k: v for k, v in doc.items() if k != "export_sha256"}
    return {**body, "export_sha256": sha256_text(canonical(body))}


def test_the_export_carries_the_changes_and_verifies_them_offline(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _three_changes(world)
    decided = world.to_decision(trial="pension", present=NOW[:-1])  # reviewer6 recused; reviewer7 votes, 8 absent
    doc = export_document(actor=world.actor("chair"), record_id=decided["record_id"])
    assert doc["format"] == "sandbox-signoff-export/3"
    assert [(e["seq"], e["membership"]["username"]) for e in doc["membership"]] == [
        (9, "reviewer7"), (10, "reviewer4"), (11, "reviewer8")]
    k = doc["record"]["groups"]["K"]["membership"]
    assert k == {"changes": 3, "hash": doc["membership"][2]["entry_hash"]}
    assert "| 2 | 10 | 退出 left | reviewer4 | admin |" in to_markdown(doc)
    pdf = tmp_path / "record.pdf"
    export_record(actor=world.actor("chair"), record_id=decided["record_id"], fmt="pdf", out=pdf)
    if shutil.which("pdftotext"):
        printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "委员变动" in printed and "任期届满" in printed and "reviewer8" in printed
    good = verify_document(doc)
    assert good["ok"] and good["membership"] == 3 and good["votes"] == 6, good

    rewritten = copy.deepcopy(doc)
    rewritten["membership"][1]["membership"]["reason"] = "个人原因"
    bad = verify_document(_resealed(rewritten))
    assert (bad["field"], bad["reason_key"]) == ("membership[2:reviewer4]", CHANGED)
    deleted = copy.deepcopy(doc)
    del deleted["membership"][1]
    bad = verify_document(_resealed(deleted))
    assert (bad["field"], bad["reason_key"]) == ("membership[2:reviewer8]", CHANGED)
    last_gone = copy.deepcopy(doc)  # the newest change before the record: the signed record names it
    del last_gone["membership"][2]
    bad = verify_document(_resealed(last_gone))
    assert (bad["field"], bad["reason_key"]) == ("K.membership", CHANGED)
    reordered = copy.deepcopy(doc)
    reordered["membership"][0]["seq"], reordered["membership"][1]["seq"] = 10, 9
    bad = verify_document(_resealed(reordered))
    assert bad["reason_key"] == CHANGED and bad["field"].startswith("membership[")

    # a change rewritten in the database: the next export no longer verifies, on any machine
    _tamper(lambda s: _reason(s, 10, "个人原因"))
    out = tmp_path / "record.json"
    out.write_text(canonical(export_document(actor=world.actor("chair"), record_id=decided["record_id"]), pretty=True),
                   encoding="utf-8")
    checked = CliRunner().invoke(app, ["--lang", "zh", "verify", str(out)])
    assert checked.exit_code == 3
    assert "membership[2:reviewer4]" in checked.stderr + checked.stdout
    assert "委员会成员变更记录被改写" in checked.stderr + checked.stdout


# --- migration 0011: an older database whose changes are in the activity log -----------------------------

def _legacy_change(s: Session, *, change: str, username: str, before: list[dict], after: list[dict]) -> None:
    """A change exactly as the code before 0011 wrote it (activity log, anchored to the chain head)."""
    committee = s.execute(text("SELECT id FROM committees")).scalar_one()
    seq, head = s.execute(text("SELECT seq, entry_hash FROM review_entries ORDER BY seq DESC LIMIT 1")).one()
    earlier = [json.loads(d) for (d,) in s.execute(
        text("SELECT details FROM activity_log WHERE action = 'review.membership' ORDER BY id"))]
    details = {"committee": committee, "change": change, "username": username, "reason": f"{username} {change}",
               "by": "admin", "at": "2026-11-01T08:00:00+00:00", "before": before, "after": after,
               "chain_seq": seq, "chain_hash": head, "prev": earlier[-1]["hash"] if earlier else "0" * 64}
    details["hash"] = sha256_text(canonical(details))
    s.execute(text("INSERT INTO activity_log (at, actor, role, action, target, details, note) VALUES "
                   "(CURRENT_TIMESTAMP, 'admin', 'admin', 'review.membership', 'x', :d, '')"),
              {"d": json.dumps(details, ensure_ascii=False)})


def _at_0010(source: Path, target: Path) -> None:
    """A database made by the migrations up to 0010, holding every row of ``source``."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from sandbox.store import engine as store_engine

    config = Config()
    config.set_main_option("script_location", str(store_engine._MIGRATIONS))
    engine = create_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0010_engines")
    engine.dispose()
    with sqlite3.connect(target) as con:
        con.execute("ATTACH DATABASE ? AS w", (str(source),))
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT IN ('alembic_version', 'sqlite_sequence')")]
        for table in tables:
            cols = ", ".join(f'"{r[1]}"' for r in con.execute(f'PRAGMA table_info("{table}")'))
            con.execute(f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM w."{table}"')
        con.commit()
    con.close()


def test_migration_carries_logged_changes_into_the_chain(world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from sandbox.review import _service
    from sandbox.review._membership import roster

    monkeypatch.setattr(_service, "membership_ref", lambda *_: None)  # records as the code before 0011 made them
    world.to_decision()                                                # entries 1–8
    add_user(username="reviewer7", password=world.password, role="reviewer")
    with session_scope() as s:  # reviewer7 joins (logged at head 8), reviewer4 leaves (logged at head 8)
        committee = s.execute(text("SELECT id FROM committees")).scalar_one()
        start = roster(s, committee)
        s.execute(text("INSERT INTO committee_members (committee_id, username, name, category, sex, affiliation, "
                       "interests, is_chair, voting) VALUES (:c, 'reviewer7', 'reviewer7', '科技', '女', '市数据局', "
                       "'[]', 0, 1)"), {"c": committee})
        joined = roster(s, committee)
        _legacy_change(s, change="joined", username="reviewer7", before=start, after=joined)
        s.execute(text("DELETE FROM committee_members WHERE username = 'reviewer4'"))
        _legacy_change(s, change="left", username="reviewer4", before=joined, after=roster(s, committee))
    world.to_decision(trial="risk", decision="不予批准", present=NOW[:-1])  # entries 9–16: reviewer7 votes, reviewer4 does not
    monkeypatch.undo()
    reset_engines()
    old = world.home / "old.db"
    _at_0010(world.home / "sandbox.db", old)
    with sqlite3.connect(old) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0010_engines",)
        notnull = {r[1]: r[3] for r in con.execute("PRAGMA table_info(review_entries)")}
        assert notnull["review_id"] == 1
    con.close()
    (world.home / "sandbox.db").unlink()
    old.rename(world.home / "sandbox.db")

    result = verify_all(actor=None)  # the engine upgrades to 0011 first
    assert result["ok"] and result["entries"] == 18 and result["membership"] == 2 and result["votes"] == 14, result
    with session_scope() as s:  # the rebuilt table kept its indexes and uniqueness
        indexes = {r[1] for r in s.execute(text("PRAGMA index_list(review_entries)"))}
    assert {"ix_review_entries_kind", "ix_review_entries_record_id"} <= indexes, indexes
    assert any(i.startswith("sqlite_autoindex_review_entries") or i.startswith("uq_") for i in indexes), indexes
    changes = show_committee(actor=world.actor("chair"))["changes"]
    assert [(c["number"], c["change"], c["username"], c["seq"], c["chain_seq"]) for c in changes] == [
        (1, "joined", "reviewer7", 17, 8), (2, "left", "reviewer4", 18, 8)]
    with session_scope() as s:  # still append-only, and a new change links to the carried ones
        with pytest.raises(Exception, match="append-only"):
            s.execute(text("UPDATE review_entries SET payload = 'x' WHERE seq = 17"))
    add_user(username="reviewer8", password=world.password, role="reviewer")
    made = add_member(actor=world.actor("admin"), member=R8, reason="补充法律委员")
    assert (made["number"], made["seq"], made["head"]["seq"]) == (3, 19, 19)
    assert verify_all(actor=None)["ok"]
    # the carried change is checked against the activity-log entry it was made as
    _tamper(lambda s: (_reason(s, 17, "改过的理由"), _relink(s, 17)))
    bad = _bad()
    assert (bad["field"], bad["reason_key"]) == ("membership[1:reviewer7]", CHANGED)
    assert "activity-log entry" in bad["reason"]
