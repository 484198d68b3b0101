"""Verification: every hash, every signature and signed vote, the chain; names the first bad field.

``verify_all`` walks each committee's chain in the database and, given
published heads, checks the chain still reaches them. ``verify_file`` checks
an exported JSON record with nothing but the file: its canonical bytes, field
hashes, record hash, each signature and each counted vote with the public keys
it carries, that the decision's tally equals the signed votes, (format /2)
the condition history (:mod:`sandbox.review._condition_history`) and (format
/3) the committee's membership changes (:mod:`sandbox.review._membership_walk`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from sandbox.review._chain import entry_hash
from sandbox.review._condition_history import history_problem
from sandbox.review._crypto import (
    GENESIS,
    canonical,
    field_hashes,
    fingerprint,
    record_hash,
    sha256_text,
    verify_signature,
)
from sandbox.review._head import compare_heads
from sandbox.review._membership_walk import chain_walks, export_problem
from sandbox.review._record import FORMAT, FORMATS
from sandbox.review._tables import Committee, ReviewEntry, SigningKey
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope

__all__ = ["EXPORT_FORMAT", "EXPORT_FORMATS", "verify_all", "verify_bytes", "verify_document", "verify_file", "verify_message"]

# /2 adds the condition history, /3 the committee's membership changes; /1 and /2 exports still verify
EXPORT_FORMAT = "sandbox-signoff-export/3"
EXPORT_FORMATS = ("sandbox-signoff-export/1", "sandbox-signoff-export/2", EXPORT_FORMAT)


Problem = Literal["not_an_export", "field_changed", "record_changed", "chain_broken", "signature_bad", "vote_bad",
                  "tally_bad", "member_bad", "membership_changed", "head_shorter", "head_forked", "head_unknown",
                  "other"]


class _Bad(Exception):
    """A failed check: where (record, field), what it means for people (``problem``), the technical reason."""

    def __init__(self, record: str, field: str, problem: Problem, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.record, self.field, self.problem, self.reason, self.params = record, field, problem, reason, params


def _check_record(doc: dict[str, Any], record_id: str) -> None:
    """Field hashes and record hash of one record document."""
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), dict):
        raise _Bad(record_id, "groups", "not_an_export", "record has no field groups")
    header = doc.get("header") or {}
    if header.get("format") not in FORMATS:
        raise _Bad(record_id, "header.format", "not_an_export", f"unknown format {header.get('format')!r}")
    if header.get("record_id") != record_id:
        raise _Bad(record_id, "header.record_id", "record_changed", f"record id {header.get('record_id')!r} ≠ {record_id!r}")
    stored = doc.get("field_hashes") or {}
    actual = field_hashes(doc["groups"])
    for name in sorted(set(stored) | set(actual)):
        if stored.get(name) != actual.get(name):
            raise _Bad(record_id, name, "field_changed", "field hash mismatch (field changed)")
    if doc.get("record_hash") != record_hash(header, stored):
        raise _Bad(record_id, "record_hash", "record_changed", "record hash mismatch")


# fingerprint -> (public key, the user it is registered or exported for)
Keys = dict[str, tuple[str, str]]


def _check_key(keys: Keys | None, fp: str, public: str, user: Any, where: str, record_id: str,
               problem: Problem) -> None:
    if keys is None:
        return
    known, owner = keys.get(fp, ("", ""))
    if known != public:
        raise _Bad(record_id, f"{where}.public_key", problem, "public key not registered")
    if owner != user:
        raise _Bad(record_id, f"{where}.public_key", problem, f"the key belongs to {owner!r}, not {user!r}")


def _check_signature(sig: dict[str, Any], record_id: str, rec_hash: str, keys: Keys | None) -> None:
    statement = sig.get("signed") or {}
    who = f"J.signatures[{statement.get('signer', '?')}]"
    if statement.get("record_id") != record_id or statement.get("record_hash") != rec_hash:
        raise _Bad(record_id, f"{who}.record_hash", "signature_bad", "signature covers another record or hash")
    public = sig.get("public_key", "")
    try:
        fp = fingerprint(public)
    except ValueError:
        raise _Bad(record_id, f"{who}.public_key", "signature_bad", "public key unreadable") from None
    if fp != sig.get("fingerprint") or fp != statement.get("key"):
        raise _Bad(record_id, f"{who}.fingerprint", "signature_bad", "fingerprint does not match the public key")
    _check_key(keys, fp, public, statement.get("signer"), who, record_id, "signature_bad")
    if not verify_signature(public, sig.get("signature", ""), statement):
        raise _Bad(record_id, f"{who}.signature", "signature_bad", "Ed25519 signature invalid")


def _check_vote(entry: dict[str, Any], record_id: str, keys: Keys | None) -> dict[str, Any]:
    """One signed vote: for this record, signed by the key it names (registered, when ``keys`` given)."""
    statement = entry.get("vote") or {}
    who = f"H.votes[{statement.get('voter', '?')}]"
    if statement.get("record_id") != record_id:
        raise _Bad(record_id, f"{who}.record_id", "vote_bad", "vote cast for another record")
    public = entry.get("public_key", "")
    try:
        fp = fingerprint(public)
    except ValueError:
        raise _Bad(record_id, f"{who}.public_key", "vote_bad", "public key unreadable") from None
    if fp != entry.get("fingerprint") or fp != statement.get("key"):
        raise _Bad(record_id, f"{who}.fingerprint", "vote_bad", "fingerprint does not match the public key")
    _check_key(keys, fp, public, statement.get("voter"), who, record_id, "vote_bad")
    if not verify_signature(public, entry.get("signature", ""), statement):
        raise _Bad(record_id, f"{who}.signature", "vote_bad", "Ed25519 signature of the vote invalid")
    evidence = statement.get("evidence")
    if evidence is not None and (not isinstance(evidence, dict) or evidence.get("digest") != sha256_text(
            canonical(evidence.get("parts")))):
        raise _Bad(record_id, f"{who}.evidence", "vote_bad", "the vote's evidence digest does not match its evidence")
    return statement


def _check_tally(record: dict[str, Any], record_id: str, cast: dict[str, dict[str, Any]]) -> int:
    """The decision counts exactly the signed votes ``cast`` (voter -> last vote), and its tally adds up."""
    if record["header"]["format"] != FORMAT:
        return 0  # a /1 record (before signed votes): nothing to count
    h = record["groups"]["H"]
    refs = h.get("signed_votes")
    if not isinstance(refs, list):
        raise _Bad(record_id, "H.signed_votes", "tally_bad", "the record lists no signed votes")
    for ref in refs:
        voter = ref.get("voter", "?")
        last = cast.get(voter)
        if last is None:
            raise _Bad(record_id, f"H.signed_votes[{voter}]", "tally_bad", "counted vote has no signed vote entry")
        if (last["entry_hash"], last["seq"], last["choice"]) != (ref.get("entry_hash"), ref.get("seq"), ref.get("choice")):
            raise _Bad(record_id, f"H.signed_votes[{voter}]", "tally_bad", "counted vote is not the member's last signed vote")
        if "evidence_digest" in h and not h["evidence_digest"] == ref.get("evidence") == last.get("evidence"):
            raise _Bad(record_id, f"H.signed_votes[{voter}].evidence", "tally_bad",
                       "counted vote was cast on other evidence than the decision's (or than its signed vote says)")
    # a member recused after voting (conflict declared while the review was open): their signed vote stays in
    # the chain, uncounted; a recused member's vote among the counted ones is wrong
    recused = set(((record["groups"].get("G") or {}).get("recusals")) or {})
    counted_recused = sorted(recused & {r.get("voter") for r in refs})
    if counted_recused:
        raise _Bad(record_id, f"H.signed_votes[{counted_recused[0]}]", "tally_bad", "a recused member's vote was counted")
    missing = sorted(set(cast) - {r.get("voter") for r in refs} - recused)
    if missing:
        raise _Bad(record_id, f"H.signed_votes[{missing[0]}]", "tally_bad", "a signed vote was left out of the tally")
    votes = {r["voter"]: r["choice"] for r in refs}
    if h.get("votes") != votes:
        raise _Bad(record_id, "H.votes", "tally_bad", "votes in the decision differ from the signed votes")
    for_ = sum(1 for c in votes.values() if c == h["decision"])
    abstain = sum(1 for c in votes.values() if c == "abstain")
    counts = h.get("counts") or {}
    if (counts.get("for"), counts.get("abstain"), counts.get("against")) != (for_, abstain, len(votes) - for_ - abstain):
        raise _Bad(record_id, "H.counts", "tally_bad", f"signed votes give {for_} for, {abstain} abstain, "
                                                      f"{len(votes) - for_ - abstain} against")
    return len(refs)


def _ok(checked: dict[str, int]) -> dict[str, Any]:
    return {"ok": True, **checked}


def _fail(bad: _Bad, checked: dict[str, int]) -> dict[str, Any]:
    return {"ok": False, "record": bad.record, "field": bad.field, "reason": bad.reason,
            "reason_key": f"review.verify.{bad.problem}", "params": bad.params, **checked}


def verify_message(result: dict[str, Any], lang: str | None = None) -> str:
    """One line saying a verification result in the user's language (CLI and workbench)."""
    from sandbox.i18n import t

    if result["ok"]:
        line = t("review.ui.verify_ok", lang, records=result.get("records", 0), signatures=result.get("signatures", 0))
        if result.get("votes"):
            line += t("review.ui.verify_ok_votes", lang, votes=result["votes"])
        if result.get("membership"):
            line += t("review.ui.verify_ok_membership", lang, changes=result["membership"])
        if result.get("heads_checked"):
            line += t("review.ui.verify_ok_heads", lang, heads=result["heads_checked"])
        if result.get("aliases_checked"):
            line += t("review.ui.verify_ok_aliases", lang, models=result["aliases_checked"])
        if result.get("aliases_unchecked"):
            line += t("review.ui.verify_aliases_unchecked", lang, reason=result["aliases_unchecked"])
        return line
    if result["reason_key"] == "review.verify.alias_disagrees":
        return t("review.ui.verify_alias_bad", lang, problem=result["reason"])
    params = {"detail": result["reason"], **(result.get("params") or {})}
    reason = t(result["reason_key"], lang, **params)
    if result["reason_key"].startswith("review.verify.head_"):
        return t("review.ui.verify_head_bad", lang, committee=result["record"], reason=reason)
    return t("review.ui.verify_bad", lang, record=result["record"], field=result["field"], reason=reason)


CONDITION_ACTIONS: tuple[str, ...] = ("submitted", "accepted", "rejected")


def _check_condition(payload: dict[str, Any], record_id: str, conditions: set[str]) -> None:
    step = payload.get("condition")
    if not isinstance(step, dict) or step.get("id") not in conditions:
        raise _Bad(record_id, "H.conditions", "chain_broken", "follow-up step of a condition the record does not set")
    if step.get("action") not in CONDITION_ACTIONS:
        raise _Bad(record_id, f"H.conditions[{step.get('id')}]", "chain_broken", f"unknown step {step.get('action')!r}")


def verify_all(*, actor: Actor | None, expect_heads: list[dict[str, Any]] | None = None,
               aliases: bool = False) -> dict[str, Any]:
    """Check every committee chain in the database; stop at the first bad entry.

    Parameters
    ----------
    actor : Actor or None
        None is the system (the CLI's ``sandbox verify`` without ``--as``): the
        answer names records and fields, never their contents.
    expect_heads : list of dict, optional
        Published heads (:func:`sandbox.review._head.parse_expected_head`): the
        check fails when a chain is shorter than one of them or forked from it.
    aliases : bool, default False
        Also check MLflow's ``@approved``/``@trial`` against the signed records (``sandbox verify --all`` and the
        records page; a restore does not: the MLflow server may not be up yet).
    """
    if actor is not None:
        authorize(actor, "records.verify")
    checked = {"entries": 0, "records": 0, "signatures": 0, "votes": 0}  # + "membership" when there are changes
    with session_scope() as s:
        registered = {k.fingerprint: (k.public_key, k.username) for k in s.scalars(select(SigningKey))}
        rows = list(s.scalars(select(ReviewEntry).order_by(ReviewEntry.committee_id, ReviewEntry.seq)))
        names = {c.id: c.name for c in s.scalars(select(Committee))}
        walks = chain_walks(s, rows, list(names))
    prev: dict[int, tuple[int, str]] = {}
    chains: dict[int, list[str]] = {cid: [] for cid in names}
    records: dict[str, str] = {}
    conditions: dict[str, set[str]] = {}
    cast: dict[str, dict[str, dict[str, Any]]] = {}
    try:
        for row in rows:
            rid = row.record_id
            last_seq, last_hash = prev.get(row.committee_id, (0, GENESIS))
            if row.seq != last_seq + 1:
                raise _Bad(rid, "K.chain_seq", "chain_broken", f"chain gap: entry {row.seq} follows {last_seq}")
            if row.prev_hash != last_hash:
                raise _Bad(rid, "K.prev_hash", "chain_broken", "previous hash does not match the chain")
            if (moved := walks[row.committee_id].advance(row.seq)) is not None:
                raise _Bad(names[row.committee_id], moved[0], moved[1], moved[2])  # type: ignore[arg-type]
            try:
                payload = json.loads(row.payload)
            except ValueError as exc:
                raise _Bad(rid, "payload", "record_changed", f"not valid JSON: {exc}") from None
            if row.kind == "record":
                _check_record(payload, rid)
                if payload["groups"].get("K", {}).get("prev_hash") != row.prev_hash:
                    raise _Bad(rid, "K.prev_hash", "chain_broken", "record names another previous hash")
                checked["votes"] += _check_tally(payload, rid, cast.get(rid, {}))
                records[rid] = payload["record_hash"]
                conditions[rid] = {str(c.get("id")) for c in payload["groups"]["H"].get("conditions") or []}
                checked["records"] += 1
            elif row.kind == "signature":
                if rid not in records:
                    raise _Bad(rid, "record_id", "signature_bad", "signature of an unknown record")
                _check_signature(payload, rid, records[rid], registered)
                checked["signatures"] += 1
            elif row.kind == "vote":
                if rid in records:
                    raise _Bad(rid, "H.votes", "vote_bad", "vote cast after the decision")
                statement = _check_vote(payload, rid, registered)
                cast.setdefault(rid, {})[statement["voter"]] = {
                    "choice": statement["choice"], "seq": row.seq, "entry_hash": row.entry_hash,
                    "evidence": (statement.get("evidence") or {}).get("digest")}
            elif row.kind == "condition":
                if rid not in records:
                    raise _Bad(rid, "record_id", "chain_broken", "follow-up step of an unknown record")
                _check_condition(payload, rid, conditions[rid])
            elif row.kind == "membership":  # linked, ordered and replayed by the walk (advance above)
                checked["membership"] = checked.get("membership", 0) + 1
            else:
                raise _Bad(rid, "kind", "other", f"unknown entry kind {row.kind!r}")
            if canonical(payload) != row.payload:
                raise _Bad(rid, "payload", "record_changed", "stored text is not the canonical form")
            expected = entry_hash(committee=row.committee_id, seq=row.seq, kind=row.kind, record_id=rid,
                                  prev_hash=row.prev_hash, payload=payload)
            if row.entry_hash != expected and row.kind == "membership":
                change = payload.get("membership") or {}
                raise _Bad(names[row.committee_id], f"membership[{change.get('number')}:{change.get('username')}]",
                           "membership_changed", "entry hash mismatch: the change was rewritten")
            if row.entry_hash != expected:
                raise _Bad(rid, "entry_hash", "chain_broken", "entry hash mismatch")
            if (member := walks[row.committee_id].check(row.kind, payload)) is not None:
                raise _Bad(rid, *member)  # type: ignore[arg-type]
            prev[row.committee_id] = (row.seq, row.entry_hash)
            chains.setdefault(row.committee_id, []).append(row.entry_hash)
            checked["entries"] += 1
        for committee, walk in walks.items():
            if (left := walk.finish()) is not None:
                raise _Bad(names[committee], *left)  # type: ignore[arg-type]
        if expect_heads:
            problem = compare_heads(expect_heads, chains, names)
            if problem is not None:
                key, params = problem
                raise _Bad(str(params["committee"]), "chain_head", key, f"{key}: {params}", **params)  # type: ignore[arg-type]
            checked["heads_checked"] = len(expect_heads)
    except _Bad as bad:
        return _fail(bad, checked)
    if aliases:  # MLflow serves what the signed records approved (sandbox/review/_approvals.py)
        from sandbox.review._approvals import alias_verification

        found = alias_verification()
        return {**checked, **found} if found["ok"] else {**found, **checked}
    return _ok(checked)


def verify_document(doc: Any) -> dict[str, Any]:
    """Check one exported record (parsed JSON) with the public keys it carries.

    Every counted vote is checked against the voter's exported public key and
    the decision's tally against the signed votes.
    """
    checked = {"records": 0, "signatures": 0, "votes": 0}
    rid = "?"
    try:
        if not isinstance(doc, dict) or doc.get("format") not in EXPORT_FORMATS:
            raise _Bad(rid, "format", "not_an_export", "not a sandbox sign-off export")
        record = doc.get("record") or {}
        rid = str((record.get("header") or {}).get("record_id", "?"))
        _check_record(record, rid)
        chain = doc.get("chain") or {}
        if chain.get("prev_hash") != record["groups"].get("K", {}).get("prev_hash"):
            raise _Bad(rid, "K.prev_hash", "chain_broken", "chain link differs from the record")
        if chain.get("entry_hash") != entry_hash(committee=chain.get("committee"), seq=chain.get("seq"), kind="record",
                                                 record_id=rid, prev_hash=chain.get("prev_hash"), payload=record):
            raise _Bad(rid, "chain.entry_hash", "chain_broken", "entry hash mismatch")
        checked["records"] = 1
        keys = {k["fingerprint"]: (k["public_key"], user) for user, ks in (doc.get("public_keys") or {}).items()
                for k in ks}
        for sig in doc.get("signatures") or []:
            _check_signature(sig, rid, record["record_hash"], keys)
            body = {k: sig[k] for k in ("signed", "signature", "public_key", "fingerprint")}
            if sig.get("entry_hash") != entry_hash(committee=chain.get("committee"), seq=sig.get("seq"),
                                                   kind="signature", record_id=rid, prev_hash=sig.get("prev_hash"),
                                                   payload=body):
                raise _Bad(rid, f"J.signatures[{sig['signed'].get('signer')}].entry_hash", "chain_broken", "entry hash mismatch")
            checked["signatures"] += 1
        cast: dict[str, dict[str, Any]] = {}
        seen = {chain.get("seq"): chain.get("entry_hash")}
        for entry in sorted(doc.get("votes") or [], key=lambda v: v["seq"]):
            statement = _check_vote(entry, rid, keys)
            voter = statement.get("voter", "?")
            body = {k: entry[k] for k in ("vote", "signature", "public_key", "fingerprint")}
            if entry.get("entry_hash") != entry_hash(committee=chain.get("committee"), seq=entry.get("seq"), kind="vote",
                                                     record_id=rid, prev_hash=entry.get("prev_hash"), payload=body):
                raise _Bad(rid, f"H.votes[{voter}].entry_hash", "chain_broken", "entry hash mismatch")
            cast[voter] = {"choice": statement.get("choice"), "seq": entry["seq"], "entry_hash": entry["entry_hash"],
                           "evidence": (statement.get("evidence") or {}).get("digest")}
            seen[entry["seq"]] = entry["entry_hash"]
        checked["votes"] = _check_tally(record, rid, cast)
        if doc["format"] != EXPORT_FORMATS[0]:
            problem = history_problem(doc, record, rid)
            if problem is not None:
                raise _Bad(rid, *problem)
            checked["condition_steps"] = len(doc["condition_steps"])
            seen.update({e["seq"]: e["entry_hash"] for e in doc["condition_steps"]})
        if doc["format"] == EXPORT_FORMAT:
            if (problem := export_problem(doc, record)) is not None:
                raise _Bad(rid, *problem)  # type: ignore[arg-type]
            if doc["membership"]:
                checked["membership"] = len(doc["membership"])
            seen.update({e["seq"]: e["entry_hash"] for e in doc["membership"]})
        head = doc.get("chain_head")
        if head is not None or "export_sha256" in doc:
            body = {k: v for k, v in doc.items() if k != "export_sha256"}
            if doc.get("export_sha256") != sha256_text(canonical(body)):
                raise _Bad(rid, "export_sha256", "record_changed", "the export's digest does not match its content")
        if head is not None:
            seen.update({sig.get("seq"): sig.get("entry_hash") for sig in doc.get("signatures") or []})
            if head.get("committee") != chain.get("committee") or (
                    head.get("seq") in seen and seen[head.get("seq")] != head.get("hash")):
                raise _Bad(rid, "chain_head", "chain_broken", "the exported chain head contradicts the exported entries")
    except _Bad as bad:
        return _fail(bad, checked)
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        return _fail(_Bad(rid, "structure", "not_an_export", f"malformed export: {exc!r}"), checked)
    return _ok(checked)


def verify_file(path: str | Path) -> dict[str, Any]:
    """Verify an exported JSON record file (another machine, public keys from the file)."""
    return verify_bytes(Path(path).read_bytes(), name=Path(path).name)


def verify_bytes(raw: bytes, *, name: str = "upload") -> dict[str, Any]:
    """Verify the bytes of an exported JSON record (e.g. an upload in the workbench)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _fail(_Bad(name, "file", "not_an_export", f"not UTF-8 at byte {exc.start}"), {})
    try:
        doc = json.loads(text)
    except ValueError as exc:
        return _fail(_Bad(name, "file", "not_an_export", f"not valid JSON: {exc}"), {})
    except RecursionError:  # 100,000 × "[" (a file anyone can hand a reviewer) crashed the records page
        return _fail(_Bad(name, "file", "not_an_export", "not valid JSON: nested too deeply"), {})
    result = verify_document(doc)
    if result["ok"] and canonical(doc, pretty=True) != text:
        at = next((i for i, (a, b) in enumerate(zip(canonical(doc, pretty=True), text, strict=False)) if a != b), 0)
        rid = str(((doc.get("record") or {}).get("header") or {}).get("record_id", name))
        return _fail(_Bad(rid, "file", "record_changed", f"bytes differ from the canonical form at char {at}"), {})
    return result
