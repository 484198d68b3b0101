"""Replaying a committee's membership changes along its record chain (``verify_all`` and offline exports).

A change is a chain entry of kind ``membership`` whose payload is
``{"membership": {number, change, username, reason, by, at, before, after},
"prev": <entry hash of the committee's previous change or 0…0>}``; a change
carried over from the activity log by migration 0011 also has ``carried``
(``log_id``, the anchor ``chain_seq``/``chain_hash`` it was made at, its old
``prev``/``hash``). A change holds for the entries after its own (carried:
after its anchor). :class:`Walk` applies the changes in that order and says,
as ``(field, problem, reason)``, the first thing wrong: a change renumbered,
unlinked, out of order, not following from the roster before it
(``membership_changed``: rewritten, deleted or reordered), a record whose
``K.membership`` names another last change (``membership_changed``), or a vote,
attendance list or signature naming someone who was not a member then
(``member_bad``).
"""

from __future__ import annotations

from typing import Any

from sandbox.review._crypto import GENESIS, canonical, sha256_text

__all__ = ["PAYLOAD_KEYS", "Walk", "chain_walks", "change_of", "export_entry", "export_problem", "membership_problem"]

Problem = tuple[str, str, str]
_LEGACY = ("change", "username", "reason", "by", "at", "before", "after")


def change_of(payload: dict[str, Any]) -> dict[str, Any]:
    change = payload.get("membership")
    return change if isinstance(change, dict) else {}


def _effective(entry: dict[str, Any]) -> int | None:
    """The chain position after which the change holds (its own entry; a carried change: its anchor)."""
    carried = entry["payload"].get("carried")
    if carried is None:
        return int(entry["seq"]) - 1
    seq = carried.get("chain_seq") if isinstance(carried, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def membership_problem(kind: str, payload: dict[str, Any], members: dict[str, dict[str, Any]]) -> tuple[str, str] | None:
    """(field, reason) when a vote, record or signature names someone who was not a member at that point."""
    if kind == "vote":
        voter = (payload.get("vote") or {}).get("voter")
        if voter not in members:
            return f"H.votes[{voter}]", f"{voter} was not a member of the committee when the vote was cast"
    elif kind == "record":
        for m in (payload.get("groups") or {}).get("G", {}).get("members_present") or []:
            held = members.get(m.get("username"))
            if held is None:
                return f"G.members_present[{m.get('username')}]", "not a member of the committee at the decision"
            if (held.get("category"), held.get("sex")) != (m.get("category"), m.get("sex")):
                return f"G.members_present[{m.get('username')}]", "category or sex differs from the roster then"
    elif kind == "signature":
        signed = payload.get("signed") or {}
        signer, meaning = signed.get("signer"), signed.get("meaning")
        if meaning == "approved" and not (members.get(signer) or {}).get("is_chair"):
            return f"J.signatures[{signer}]", f"{signer} was not the committee's chair when signing"
        if meaning == "reviewed" and signed.get("role") in ("reviewer", "chair") and signer not in members:
            return f"J.signatures[{signer}]", f"{signer} was not a member of the committee when signing"
    return None


def _by_name(members: Any) -> dict[str, dict[str, Any]] | None:
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        return None
    return {m.get("username"): m for m in members}


class Walk:
    """One committee's changes, applied in chain order.

    Parameters
    ----------
    committee : int
        The committee's id (part of every entry hash and of a carried change's old hash).
    entries : list of dict
        Its membership entries in chain order: ``{"seq", "entry_hash", "payload"}``.
    table : list of dict, optional
        The ``committee_members`` table as rosters store it: the start when nothing
        changed, and what the last roster must equal (``None`` offline: no table).
    anchors : dict
        Chain ``seq -> entry_hash`` known to the caller; ``complete`` says it is the whole chain
        (in the database) rather than the entries an export carries.
    """

    def __init__(self, committee: int, entries: list[dict[str, Any]], *, table: list[dict[str, Any]] | None,
                 anchors: dict[int, str], complete: bool) -> None:
        self.committee, self.entries, self.table = committee, entries, table
        self.anchors, self.complete = anchors, complete
        first = change_of(entries[0]["payload"]).get("before") if entries else None
        start = _by_name(first) if entries else _by_name(table)
        self.members: dict[str, dict[str, Any]] = start or {}
        self.known = start is not None  # offline and never changed: no roster to check against
        self.applied, self.last, self.legacy, self.last_effective = 0, GENESIS, GENESIS, -1

    def advance(self, seq: int | None = None) -> Problem | None:
        """Apply the changes that hold before chain entry ``seq`` (all of them: ``None``)."""
        while self.applied < len(self.entries):
            entry = self.entries[self.applied]
            effective = _effective(entry)
            if seq is not None and effective is not None and effective >= seq:
                return None
            reason = self._apply(entry, effective)
            if reason is not None:
                who = change_of(entry["payload"]).get("username")
                return f"membership[{self.applied + 1}:{who}]", "membership_changed", reason
        return None

    def _anchor_problem(self, carried: dict[str, Any], effective: int) -> str | None:
        known = self.anchors.get(effective, GENESIS if effective == 0 else None)
        if (known is not None or self.complete) and known != carried.get("chain_hash"):
            return f"carried over from the activity log at record-chain entry {effective}, which the chain does not hold"
        return None

    def _apply(self, entry: dict[str, Any], effective: int | None) -> str | None:
        payload = entry["payload"]
        change, number = change_of(payload), self.applied + 1
        if change.get("number") != number:
            return f"numbered {change.get('number')!r} where change {number} belongs: a change was deleted or moved"
        if payload.get("prev") != self.last:
            return "does not link to the change before it: a change was deleted, rewritten or moved"
        if effective is None or effective >= entry["seq"] or effective < self.last_effective:
            return "out of order in the record chain"
        carried = payload.get("carried")
        if carried is not None:
            problem = self._anchor_problem(carried, effective) or self._legacy_problem(change, carried)
            if problem is not None:
                return problem
        problem = self._replay(change)
        if problem is not None:
            return problem
        self.applied, self.last, self.last_effective = number, entry["entry_hash"], effective
        if carried is not None:
            self.legacy = carried.get("hash")
        return None

    def _legacy_problem(self, change: dict[str, Any], carried: dict[str, Any]) -> str | None:
        """A carried change still matches the activity-log entry it was (hash and link as written then)."""
        body = {"committee": self.committee, **{k: change.get(k) for k in _LEGACY},
                **{k: carried.get(k) for k in ("chain_seq", "chain_hash", "prev")}}
        if carried.get("hash") != sha256_text(canonical(body)):
            return "the carried change differs from the activity-log entry it was made as (hash mismatch)"
        if carried.get("prev") != self.legacy:
            return "the carried change does not link to the one before it in the activity log"
        return None

    def _replay(self, change: dict[str, Any]) -> str | None:
        before, after = _by_name(change.get("before")), _by_name(change.get("after"))
        if before is None or after is None:
            return "membership entry without its rosters"
        if before != self.members:
            return "the roster before this change is not the one the chain reached"
        who, kind = change.get("username"), change.get("change")
        expected = (set(self.members) | {who}) if kind == "joined" else (set(self.members) - {who})
        if kind not in ("joined", "left") or set(after) != expected or set(after) == set(self.members):
            return f"{kind!r} of {who!r} does not turn the roster before into the roster after"
        self.members, self.known = after, True
        return None

    def check(self, kind: str, payload: dict[str, Any]) -> Problem | None:
        """One vote, record or signature against the roster reached; a record's ``K.membership`` too."""
        if kind == "record":
            ref = (payload.get("groups") or {}).get("K", {}).get("membership")
            if ref is not None and ref != {"changes": self.applied, "hash": self.last}:
                return ("K.membership", "membership_changed",
                        f"decided after change {ref.get('changes') if isinstance(ref, dict) else ref!r}, "
                        f"the chain holds {self.applied} change(s) before it")
        if not self.known:
            return None
        found = membership_problem(kind, payload, self.members)
        return None if found is None else (found[0], "member_bad", found[1])

    def finish(self) -> Problem | None:
        """Apply the rest; the members table (when given) must equal the last roster."""
        if (problem := self.advance()) is not None:
            return problem
        if self.table is not None and self.members != _by_name(self.table):
            return "committee_members", "member_bad", "the members table differs from the last recorded change"
        return None


def chain_walks(session: Any, rows: list[Any], committees: list[int]) -> dict[int, Walk]:
    """Each committee's walk over its chain ``rows`` (``review_entries``, in order), with its members table."""
    import json

    from sandbox.review._membership import roster

    anchors: dict[int, dict[int, str]] = {cid: {} for cid in committees}
    changes: dict[int, list[dict[str, Any]]] = {cid: [] for cid in committees}
    for row in rows:
        anchors.setdefault(row.committee_id, {})[row.seq] = row.entry_hash
        if row.kind == "membership":
            try:
                payload = json.loads(row.payload)
            except ValueError:
                payload = {}
            changes.setdefault(row.committee_id, []).append(
                {"seq": row.seq, "entry_hash": row.entry_hash, "payload": payload if isinstance(payload, dict) else {}})
    return {cid: Walk(cid, changes.get(cid, []), table=roster(session, cid), anchors=anchors[cid], complete=True)
            for cid in anchors}


PAYLOAD_KEYS = ("membership", "prev", "carried")


def export_entry(seq: int, prev_hash: str, entry_hash_: str, record_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A membership entry as an export carries it (payload keys at the top, like signatures and votes)."""
    return {**payload, "seq": seq, "prev_hash": prev_hash, "entry_hash": entry_hash_, "record_id": record_id}


def export_problem(doc: dict[str, Any], record: dict[str, Any]) -> Problem | None:
    """The first thing wrong with an export's membership changes (format /3), as (field, problem, reason).

    Each change's entry hash is recomputed; then the changes, the counted votes, the record and its
    signatures are replayed in chain order: links, numbering and rosters as in ``verify_all``, the record's
    ``K.membership`` against the changes before it, each voter, attendee and signer against the roster then.
    """
    from sandbox.review._chain import entry_hash

    chain = doc.get("chain") or {}
    listed = doc.get("membership")
    if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
        return "membership", "not_an_export", "the export lists no membership changes"
    entries = []
    for e in listed:
        payload = {k: e[k] for k in PAYLOAD_KEYS if k in e}
        change = change_of(payload)
        expected = entry_hash(committee=chain.get("committee"), seq=e.get("seq"), kind="membership",
                              record_id=e.get("record_id"), prev_hash=e.get("prev_hash"), payload=payload)
        if e.get("entry_hash") != expected or not isinstance(e.get("seq"), int):
            return (f"membership[{change.get('number')}:{change.get('username')}]", "membership_changed",
                    "entry hash mismatch: the change was rewritten")
        entries.append({"seq": e["seq"], "entry_hash": e["entry_hash"], "payload": payload})
    entries.sort(key=lambda e: e["seq"])
    items: list[tuple[int, str, dict[str, Any]]] = [(chain.get("seq"), "record", record)]
    items += [(v.get("seq"), "vote", v) for v in doc.get("votes") or []]
    items += [(s.get("seq"), "signature", s) for s in doc.get("signatures") or []]
    known = {seq: e.get("entry_hash") for seq, _, e in items[1:]} | {e["seq"]: e["entry_hash"] for e in entries}
    known[chain.get("seq")] = chain.get("entry_hash")
    walk = Walk(chain.get("committee"), entries, table=None, anchors=known, complete=False)  # type: ignore[arg-type]
    for seq, kind, payload in sorted(items, key=lambda i: i[0] if isinstance(i[0], int) else -1):
        if (problem := walk.advance(seq) or walk.check(kind, payload)) is not None:
            return problem
    return walk.advance()
