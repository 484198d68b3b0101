"""Verification: every hash, every signature, the chain; names the first bad field.

``verify_all`` walks each committee's chain in the database. ``verify_file``
checks an exported JSON record with nothing but the file: its canonical bytes,
field hashes, record hash, and each signature with the public keys it carries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from sandbox.review._chain import entry_hash
from sandbox.review._crypto import (
    GENESIS,
    canonical,
    field_hashes,
    fingerprint,
    record_hash,
    verify_signature,
)
from sandbox.review._record import FORMAT
from sandbox.review._tables import ReviewEntry, SigningKey
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope

__all__ = ["EXPORT_FORMAT", "verify_all", "verify_bytes", "verify_document", "verify_file", "verify_message"]

EXPORT_FORMAT = "sandbox-signoff-export/1"


Problem = Literal["not_an_export", "field_changed", "record_changed", "chain_broken", "signature_bad", "other"]


class _Bad(Exception):
    """A failed check: where (record, field), what it means for people (``problem``), the technical reason."""

    def __init__(self, record: str, field: str, problem: Problem, reason: str) -> None:
        super().__init__(reason)
        self.record, self.field, self.problem, self.reason = record, field, problem, reason


def _check_record(doc: dict[str, Any], record_id: str) -> None:
    """Field hashes and record hash of one record document."""
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), dict):
        raise _Bad(record_id, "groups", "not_an_export", "record has no field groups")
    header = doc.get("header") or {}
    if header.get("format") != FORMAT:
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


def _check_signature(sig: dict[str, Any], record_id: str, rec_hash: str, keys: dict[str, str] | None) -> None:
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
    if keys is not None and keys.get(fp) != public:
        raise _Bad(record_id, f"{who}.public_key", "signature_bad", "public key not registered for the signer")
    if not verify_signature(public, sig.get("signature", ""), statement):
        raise _Bad(record_id, f"{who}.signature", "signature_bad", "Ed25519 signature invalid")


def _ok(checked: dict[str, int]) -> dict[str, Any]:
    return {"ok": True, **checked}


def _fail(bad: _Bad, checked: dict[str, int]) -> dict[str, Any]:
    return {"ok": False, "record": bad.record, "field": bad.field, "reason": bad.reason,
            "reason_key": f"review.verify.{bad.problem}", **checked}


def verify_message(result: dict[str, Any], lang: str | None = None) -> str:
    """One line saying a verification result in the user's language (CLI and workbench)."""
    from sandbox.i18n import t

    if result["ok"]:
        return t("review.ui.verify_ok", lang, records=result.get("records", 0), signatures=result.get("signatures", 0))
    return t("review.ui.verify_bad", lang, record=result["record"], field=result["field"],
             reason=t(result["reason_key"], lang, detail=result["reason"]))


def verify_all(*, actor: Actor | None) -> dict[str, Any]:
    """Check every committee chain in the database; stop at the first bad entry.

    ``actor`` None is the system (the CLI's ``sandbox verify`` without ``--as``):
    the answer names records and fields, never their contents.
    """
    if actor is not None:
        authorize(actor, "records.verify")
    checked = {"entries": 0, "records": 0, "signatures": 0}
    with session_scope() as s:
        registered = {k.fingerprint: k.public_key for k in s.scalars(select(SigningKey))}
        rows = list(s.scalars(select(ReviewEntry).order_by(ReviewEntry.committee_id, ReviewEntry.seq)))
    prev: dict[int, tuple[int, str]] = {}
    records: dict[str, str] = {}
    try:
        for row in rows:
            rid = row.record_id
            last_seq, last_hash = prev.get(row.committee_id, (0, GENESIS))
            if row.seq != last_seq + 1:
                raise _Bad(rid, "K.chain_seq", "chain_broken", f"chain gap: entry {row.seq} follows {last_seq}")
            if row.prev_hash != last_hash:
                raise _Bad(rid, "K.prev_hash", "chain_broken", "previous hash does not match the chain")
            try:
                payload = json.loads(row.payload)
            except ValueError as exc:
                raise _Bad(rid, "payload", "record_changed", f"not valid JSON: {exc}") from None
            if row.kind == "record":
                _check_record(payload, rid)
                if payload["groups"].get("K", {}).get("prev_hash") != row.prev_hash:
                    raise _Bad(rid, "K.prev_hash", "chain_broken", "record names another previous hash")
                records[rid] = payload["record_hash"]
                checked["records"] += 1
            elif row.kind == "signature":
                if rid not in records:
                    raise _Bad(rid, "record_id", "signature_bad", "signature of an unknown record")
                _check_signature(payload, rid, records[rid], registered)
                checked["signatures"] += 1
            else:
                raise _Bad(rid, "kind", "other", f"unknown entry kind {row.kind!r}")
            if canonical(payload) != row.payload:
                raise _Bad(rid, "payload", "record_changed", "stored text is not the canonical form")
            expected = entry_hash(committee=row.committee_id, seq=row.seq, kind=row.kind, record_id=rid,
                                  prev_hash=row.prev_hash, payload=payload)
            if row.entry_hash != expected:
                raise _Bad(rid, "entry_hash", "chain_broken", "entry hash mismatch")
            prev[row.committee_id] = (row.seq, row.entry_hash)
            checked["entries"] += 1
    except _Bad as bad:
        return _fail(bad, checked)
    return _ok(checked)


def verify_document(doc: Any) -> dict[str, Any]:
    """Check one exported record (parsed JSON) with the public keys it carries."""
    checked = {"records": 0, "signatures": 0}
    rid = "?"
    try:
        if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
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
        keys = {k["fingerprint"]: k["public_key"] for ks in (doc.get("public_keys") or {}).values() for k in ks}
        for sig in doc.get("signatures") or []:
            _check_signature(sig, rid, record["record_hash"], keys)
            body = {k: sig[k] for k in ("signed", "signature", "public_key", "fingerprint")}
            if sig.get("entry_hash") != entry_hash(committee=chain.get("committee"), seq=sig.get("seq"),
                                                   kind="signature", record_id=rid, prev_hash=sig.get("prev_hash"),
                                                   payload=body):
                raise _Bad(rid, f"J.signatures[{sig['signed'].get('signer')}].entry_hash", "chain_broken", "entry hash mismatch")
            checked["signatures"] += 1
    except _Bad as bad:
        return _fail(bad, checked)
    except (KeyError, TypeError, AttributeError) as exc:
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
    result = verify_document(doc)
    if result["ok"] and canonical(doc, pretty=True) != text:
        at = next((i for i, (a, b) in enumerate(zip(canonical(doc, pretty=True), text, strict=False)) if a != b), 0)
        rid = str(((doc.get("record") or {}).get("header") or {}).get("record_id", name))
        return _fail(_Bad(rid, "file", "record_changed", f"bytes differ from the canonical form at char {at}"), {})
    return result
