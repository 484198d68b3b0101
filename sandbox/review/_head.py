"""Chain heads: what is published outside the database, and the check against it.

A head is ``{committee, committee_name, seq, hash}``: the sequence number and
entry hash of a committee's newest chain entry. Anyone holding a head that was
published (printed in the PDF, in the public notice, in a JSON export, or
copied from the records page) can later detect that the database's chain was
cut short (rollback of the newest entries) or rewritten from some entry on
(fork): ``sandbox verify --all --expect-head FILE|HASH``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sandbox.errors import InputError
from sandbox.review._chain import chain_head
from sandbox.review._crypto import GENESIS
from sandbox.review._tables import Committee
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope

__all__ = ["HEAD_FORMAT", "chain_heads", "compare_heads", "head_document", "head_text", "parse_expected_head"]

HEAD_FORMAT = "sandbox-chain-head/1"
_HEAD = re.compile(r"^(?:(\d{1,12}):)?([0-9a-fA-F]{64})$")


def head_text(head: dict[str, Any]) -> str:
    """The short form people copy and publish: ``seq:hash``."""
    return f"{head['seq']}:{head['hash']}"


def chain_heads(*, actor: Actor | None) -> list[dict[str, Any]]:
    """The current head of every committee's chain (``actor`` None: the system)."""
    if actor is not None:
        authorize(actor, "records.verify")
    with session_scope() as s:
        return [chain_head(s, cid) for cid in s.scalars(select(Committee.id).order_by(Committee.id))]


def head_document(*, actor: Actor | None) -> dict[str, Any]:
    """The heads as a document to publish or keep (``sandbox review head --out``)."""
    heads = chain_heads(actor=actor)
    return {"format": HEAD_FORMAT, "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "heads": [{**h, "text": head_text(h)} for h in heads]}


def _bad_file(name: str, detail: str) -> InputError:
    return InputError("review.head_bad_file", file=name, detail=detail)


def _checked(head: Any, name: str, index: int) -> dict[str, Any]:
    if not isinstance(head, dict):
        raise _bad_file(name, f"heads[{index}] is not an object")
    committee, seq, value = head.get("committee"), head.get("seq"), head.get("hash")
    if not isinstance(committee, int) or isinstance(committee, bool):
        raise _bad_file(name, f"heads[{index}].committee is not a number")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise _bad_file(name, f"heads[{index}].seq is not a number ≥ 0")
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise _bad_file(name, f"heads[{index}].hash is not 64 hex digits")
    return {"committee": committee, "committee_name": str(head.get("committee_name") or committee), "seq": seq,
            "hash": value.lower()}


def parse_expected_head(value: str) -> list[dict[str, Any]]:
    """The published head(s) from ``seq:hash``, a bare hash, or a file.

    A file is a head document (``sandbox review head --out``), a JSON record
    export (its ``chain_head``) or a text file holding ``seq:hash``. A head
    without a committee (the short form) is looked for in every chain.

    Raises
    ------
    InputError
        ``review.head_malformed`` (neither a head nor a file),
        ``review.head_bad_file`` or ``review.head_missing_in_export``.
    """
    match = _HEAD.match(value.strip())
    if match:
        return [{"committee": None, "committee_name": None, "seq": int(match[1]) if match[1] else None,
                 "hash": match[2].lower()}]
    path = Path(value)
    if not path.is_file():
        raise InputError("review.head_malformed", value=value[:80])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad_file(path.name, str(exc)[:200]) from None
    match = _HEAD.match(text.strip())
    if match:
        return parse_expected_head(text.strip())
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise _bad_file(path.name, f"not JSON and not seq:hash ({exc})") from None
    except RecursionError:  # 100,000 × "[": a traceback before
        raise _bad_file(path.name, "not JSON and not seq:hash (nested too deeply)") from None
    from sandbox.review._verify import EXPORT_FORMATS

    if isinstance(doc, dict) and doc.get("format") == HEAD_FORMAT:
        heads = doc.get("heads")
        if not isinstance(heads, list) or not heads:
            raise _bad_file(path.name, "no heads")
        return [_checked(h, path.name, i) for i, h in enumerate(heads)]
    if isinstance(doc, dict) and doc.get("format") in EXPORT_FORMATS:
        if "chain_head" not in doc:
            raise InputError("review.head_missing_in_export", file=path.name)
        return [_checked(doc["chain_head"], path.name, 0)]
    raise _bad_file(path.name, "neither a chain head file nor a record export")


def compare_heads(expected: list[dict[str, Any]], chains: dict[int, list[str]],
                  names: dict[int, str]) -> tuple[str, dict[str, Any]] | None:
    """The first way the database's chains fall short of a published head, or None.

    ``chains`` maps committee id to its entry hashes in order (entry ``seq`` at
    index ``seq - 1``; the chain walk checked the numbering). Returns
    ``(problem, params)`` with problem ``head_shorter``, ``head_forked`` or
    ``head_unknown``.
    """
    for head in expected:
        seq, value = head["seq"], head["hash"]
        if head["committee"] is not None:
            chain = chains.get(head["committee"], [])
            name = names.get(head["committee"], head["committee_name"])
            if seq == 0 and value == GENESIS:
                continue
            if seq > len(chain):
                return "head_shorter", {"committee": name, "published": seq, "now": len(chain)}
            if chain[seq - 1] != value:
                return "head_forked", {"committee": name, "seq": seq}
            continue
        everyone = "、".join(names.values()) or "-"
        found = [(cid, i + 1) for cid, chain in chains.items() for i, h in enumerate(chain) if h == value]
        if found:
            if seq is None or any(at == seq for _, at in found):
                continue
            return "head_forked", {"committee": names.get(found[0][0], everyone), "seq": seq}
        if seq is None:
            return "head_unknown", {"committee": everyone, "hash": value[:16]}
        longest = max((len(c) for c in chains.values()), default=0)
        if longest < seq:
            return "head_shorter", {"committee": everyone, "published": seq, "now": longest}
        return "head_forked", {"committee": everyone, "seq": seq}
    return None
