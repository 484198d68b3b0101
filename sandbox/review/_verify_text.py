"""Verify a record's Markdown export against the record chain: every line must be what the chain renders.

The JSON export carries its own proof (hashes, Ed25519 signatures and votes, public keys) and verifies offline.
A Markdown copy is what people read, mail and print, and it used to be answered with "not valid JSON". It is
checked against the database instead: the record named in its title is rendered again exactly as it was at
export — the chain head printed in the file (signatures, condition steps and membership changes up to that
entry) and the condition status on the date printed in it — and compared line by line; the first line that
differs is named with what the chain says. A head printed in the file that the chain does not hold (another
hash at that ``seq``) is named too. A PDF is not parsed: the message says to verify the JSON or compare the
record hash it prints.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sandbox.errors import NotFoundError
from sandbox.roles import Actor

__all__ = ["verify_markdown", "verify_upload"]

_TITLE = re.compile(r"# 伦理审查签署记录 Ethics-review sign-off record (\S+)")
_HEAD = re.compile(r"- 导出时链头 Chain head at export \(.*\): `(\d+):([0-9a-f]{64})`")
_AS_OF = re.compile(r"### 条件进展 Condition follow-up（截至 as of (\d{4}-\d{2}-\d{2})）")
SHOWN = 80  # characters of a line quoted in the message


def _fail(record: str, field: str, problem: str, reason: str, **params: Any) -> dict[str, Any]:
    return {"ok": False, "record": record, "field": field, "reason": reason, "reason_key": f"review.verify.{problem}",
            "params": params, "records": 0, "signatures": 0}


def _cut(line: str) -> str:
    return line if len(line) <= SHOWN else line[:SHOWN] + "…"


def _as_exported(doc: dict[str, Any], head_seq: int | None, as_of: date | None) -> dict[str, Any]:
    """The export document as it was when the file was written (entries up to its head, status on its date)."""
    from sandbox.review._condition_history import status_of

    out = dict(doc)
    if head_seq is not None:
        for part in ("signatures", "condition_steps", "membership"):
            out[part] = [e for e in doc.get(part) or [] if int(e.get("seq", 0)) <= head_seq]
    if as_of is not None:
        out["conditions_as_of"] = as_of.isoformat()
        steps = out.get("condition_steps") or []
        out["condition_status"] = [
            status_of(c, [x["condition"] for x in steps if x["condition"].get("id") == c["id"]], as_of)
            for c in doc["record"]["groups"]["H"].get("conditions") or []]
    return out


def verify_markdown(text: str, *, actor: Actor | None, name: str = "upload") -> dict[str, Any]:
    """Check a Markdown export line by line against the record chain (needs the database and ``review.view``)."""
    from sandbox.review._export import export_document, to_markdown

    lines = text.replace("\r\n", "\n").split("\n")
    title = _TITLE.fullmatch(lines[0].strip()) if lines else None
    if title is None:
        return _fail(name, "file", "not_an_export", "the first line does not name a sign-off record")
    record_id = title.group(1)
    if actor is None:
        return _fail(record_id, "file", "markdown_needs_login", "a Markdown copy is checked against the database")
    try:
        doc = export_document(actor=actor, record_id=record_id)
    except NotFoundError:
        return _fail(record_id, "record_id", "markdown_unknown_record", "no such record in the chain",
                     record_id=record_id)
    head_seq: int | None = None
    head = next((m for m in map(_HEAD.fullmatch, lines) if m), None)
    if head is not None:
        head_seq = int(head.group(1))
        known = _entry_hash_at(doc, head_seq)
        if known != head.group(2):
            return _fail(record_id, "chain_head", "chain_broken", f"head {head_seq}:{head.group(2)[:16]}… not in the chain")
    stated = next((m for m in map(_AS_OF.fullmatch, lines) if m), None)
    as_of = date.fromisoformat(stated.group(1)) if stated else None
    if head is not None and head_seq is not None:
        exported_head = {**(doc.get("chain_head") or {}), "seq": head_seq, "hash": head.group(2)}
        doc = {**doc, "chain_head": exported_head}
    expected = to_markdown(_as_exported(doc, head_seq, as_of)).split("\n")
    for number, (got, want) in enumerate(zip(lines, expected, strict=False), start=1):
        if got != want:
            return _fail(record_id, f"line {number}", "markdown_line", "line differs from the chain's record",
                         line=number, found=_cut(got), expected=_cut(want))
    if len(lines) != len(expected):
        number = min(len(lines), len(expected)) + 1
        return _fail(record_id, f"line {number}", "markdown_line", "lines added or removed", line=number,
                     found=_cut(lines[number - 1]) if number <= len(lines) else "",
                     expected=_cut(expected[number - 1]) if number <= len(expected) else "")
    return {"ok": True, "records": 1, "signatures": len(_as_exported(doc, head_seq, as_of).get("signatures") or []),
            "format": "markdown"}


def _entry_hash_at(doc: dict[str, Any], seq: int) -> str | None:
    """The entry hash the committee's chain holds at ``seq`` (None when the chain is shorter)."""
    from sqlalchemy import select

    from sandbox.review._tables import ReviewEntry
    from sandbox.store import session_scope

    with session_scope() as s:
        return s.scalar(select(ReviewEntry.entry_hash).where(
            ReviewEntry.committee_id == (doc.get("chain") or {}).get("committee"), ReviewEntry.seq == seq))


def verify_upload(raw: bytes, *, name: str, actor: Actor | None) -> dict[str, Any]:
    """Verify an uploaded or given record file by its kind: JSON offline, Markdown against the chain, PDF refused
    with what to do instead."""
    from sandbox.review._verify import verify_bytes

    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if raw.startswith(b"%PDF") or suffix == "pdf":
        return _fail(name, "file", "pdf_not_verifiable", "a PDF is not parsed")
    if suffix in ("md", "markdown") or raw.lstrip(b"\xef\xbb\xbf").startswith("# 伦理审查签署记录".encode()):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return _fail(name, "file", "not_an_export", f"not UTF-8 at byte {exc.start}")
        return verify_markdown(text, actor=actor, name=name)
    return verify_bytes(raw, name=name)
