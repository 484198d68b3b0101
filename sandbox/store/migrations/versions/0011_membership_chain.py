"""review: committee membership changes become entries of the record chain (kind ``membership``).

``review_entries.review_id`` / ``vendor_id`` become nullable (a membership
change belongs to no review and no vendor). Changes made before this revision
were append-only ``activity_log`` entries (action ``review.membership``) that
named the chain head they were made at; they are appended, in their order, to
the end of their committee's chain as ``membership`` entries that keep the
old entry whole under ``carried`` (log id, anchor ``chain_seq``/``chain_hash``,
old ``prev``/``hash``). They cannot go *between* the older entries: every
later entry's hash, every record's ``K.prev_hash`` and every published head
would change. Verification applies a carried change at its anchor
(:mod:`sandbox.review._membership_walk`), so votes and signatures are still
checked against the committee as it was then.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011_membership_chain"
down_revision = "0010_engines"
branch_labels = None
depends_on = None

_GENESIS = "0" * 64
_CHANGE = ("change", "username", "reason", "by", "at", "before", "after")


def _sha(value: object) -> str:
    # The record chain's canonical form (sandbox.review._crypto.canonical), written out so this revision
    # keeps computing what it computed when it was written.
    import hashlib

    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _nullable_links(dialect: str) -> None:
    if dialect == "sqlite":  # a column's NOT NULL changes only by rebuilding the table: triggers go and come back
        op.execute("DROP TRIGGER IF EXISTS review_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS review_entries_no_delete")
        with op.batch_alter_table("review_entries", recreate="always") as batch:
            batch.alter_column("review_id", existing_type=sa.Integer, nullable=True)
            batch.alter_column("vendor_id", existing_type=sa.Integer, nullable=True)
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER review_entries_no_{verb.lower()} BEFORE {verb} ON review_entries "
                       "BEGIN SELECT RAISE(ABORT, 'review_entries is append-only'); END")
    else:  # PostgreSQL: ALTER is not an UPDATE, the row trigger stays
        op.alter_column("review_entries", "review_id", existing_type=sa.Integer, nullable=True)
        op.alter_column("review_entries", "vendor_id", existing_type=sa.Integer, nullable=True)


def _carry_changes() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, details FROM activity_log WHERE action = 'review.membership' ORDER BY id"))
    by_committee: dict[int, list[tuple[int, dict]]] = {}
    for log_id, details in rows:
        d = json.loads(details) if isinstance(details, str) else dict(details or {})
        if "before" in d and isinstance(d.get("committee"), int):
            by_committee.setdefault(d["committee"], []).append((log_id, d))
    insert = sa.text("INSERT INTO review_entries (committee_id, seq, kind, record_id, review_id, vendor_id, prev_hash, "
                     "entry_hash, payload, created_at) VALUES (:c, :seq, 'membership', :rid, NULL, NULL, :prev, :hash, "
                     ":payload, :at)")
    for committee, changes in sorted(by_committee.items()):
        last = bind.execute(sa.text("SELECT seq, entry_hash FROM review_entries WHERE committee_id = :c "
                                    "ORDER BY seq DESC LIMIT 1"), {"c": committee}).first()
        seq, prev_hash = (last[0], last[1]) if last is not None else (0, _GENESIS)
        prev_change = _GENESIS
        for number, (log_id, d) in enumerate(changes, 1):
            seq += 1
            record_id = f"membership-{number}"
            payload = {"membership": {"number": number, **{k: d.get(k) for k in _CHANGE}}, "prev": prev_change,
                       "carried": {"log_id": log_id, **{k: d.get(k) for k in ("chain_seq", "chain_hash", "prev", "hash")}}}
            entry_hash = _sha({"committee": committee, "seq": seq, "kind": "membership", "record_id": record_id,
                               "prev_hash": prev_hash, "payload": payload})
            text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
            bind.execute(insert, {"c": committee, "seq": seq, "rid": record_id, "prev": prev_hash, "hash": entry_hash,
                                  "payload": text, "at": datetime.now(UTC)})
            prev_hash = prev_change = entry_hash


def upgrade() -> None:
    _nullable_links(op.get_bind().dialect.name)
    _carry_changes()


def downgrade() -> None:  # pragma: no cover - the chain is append-only; membership entries cannot be taken out
    raise NotImplementedError("0011_membership_chain cannot be downgraded: the record chain is append-only")
