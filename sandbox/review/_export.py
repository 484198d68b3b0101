"""Exports of a sign-off record: JSON (verifiable anywhere), Markdown, PDF."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

from sandbox.errors import InputError, NotFoundError
from sandbox.review import _followup
from sandbox.review._chain import chain_head, payload_of, public_keys, record_entries, vote_entries
from sandbox.review._condition_history import condition_section
from sandbox.review._crypto import canonical, sha256_text
from sandbox.review._membership import membership_entries
from sandbox.review._membership_walk import export_entry
from sandbox.review._record import GROUP_TITLES
from sandbox.review._rules import CHECKLIST
from sandbox.review._verify import EXPORT_FORMAT
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope

__all__ = ["district_labels_text", "export_bytes", "export_document", "export_record", "to_markdown"]

Format = Literal["pdf", "md", "json"]
ANSWER_ZH = {"yes": "是", "no": "否", "n.a.": "不适用", None: "未答"}
CHANGE_ZH = {"joined": "加入", "left": "退出"}
MEANING_ZH = {"reviewed": "已审阅", "approved": "批准签署", "acknowledged": "已知悉并确认"}


def export_document(*, actor: Actor, record_id: str) -> dict[str, Any]:
    """The export: record, its chain link, signatures, votes, the signers' public keys, the condition history,
    the committee's membership changes.

    ``condition_steps`` / ``conditions_as_of`` / ``condition_status``: see
    :mod:`sandbox.review._condition_history` (status and overdue as on the export's date).
    """
    authorize(actor, "review.view")
    with session_scope() as s:
        entries = record_entries(s, record_id)
        if not entries or entries[0].kind != "record":
            raise NotFoundError("review.record_not_found", record=record_id)
        head = entries[0]
        authorize(actor, "review.view", owner_vendor_id=head.vendor_id)
        sigs = []
        for e in entries[1:]:
            sigs.append({**payload_of(e), "seq": e.seq, "prev_hash": e.prev_hash, "entry_hash": e.entry_hash})
        record = payload_of(head)
        counted = {v.get("entry_hash") for v in record["groups"]["H"].get("signed_votes") or []}
        votes = [{**payload_of(e), "seq": e.seq, "prev_hash": e.prev_hash, "entry_hash": e.entry_hash}
                 for e in vote_entries(s, record_id) if e.entry_hash in counted]
        people = {sig["signed"]["signer"] for sig in sigs} | {v["vote"]["voter"] for v in votes}
        keys = public_keys(s, sorted(people))
        used = {sig["fingerprint"] for sig in sigs} | {v["fingerprint"] for v in votes}
        doc = {
            "format": EXPORT_FORMAT,
            "record": record,
            "chain": {"committee": head.committee_id, "seq": head.seq, "prev_hash": head.prev_hash,
                      "entry_hash": head.entry_hash},
            "signatures": sigs,
            "votes": votes,
            "public_keys": {u: [k for k in ks if k["fingerprint"] in used] for u, ks in keys.items()},
            "chain_head": chain_head(s, head.committee_id),
            # every membership change of the committee (up to the head): replayed offline by verify_document
            "membership": [export_entry(e.seq, e.prev_hash, e.entry_hash, e.record_id, payload_of(e))
                           for e in membership_entries(s, head.committee_id)],
            **condition_section(s, record, record_id, _followup._today()),
        }
    # The head is what the database said at export time (to publish, not provable from the file):
    # a digest of the whole export catches a corrupted copy of it.
    return {**doc, "export_sha256": sha256_text(canonical(doc))}


_INLINE = re.compile(r"([\\`*_\[\]<>|!#~$])")


def _md(value: Any) -> str:
    """Text shown as itself in a Markdown line or table cell: written by users and vendors (card,
    evidence), it must not start new lines (forged headings and entries), nor become a link, an
    image a viewer fetches, HTML or a table cell boundary."""
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else ch for ch in str(value))
    return _INLINE.sub(r"\\\1", text)


def _fmt(value: Any) -> str:
    if isinstance(value, dict | list):
        text = canonical(value)
        return _md(text[:400] + ("…" if len(text) > 400 else ""))
    return _md(value)


def district_labels_text(value: Any) -> list[str]:
    """The audit's district labels merged on request and likely variants left (record group E), in words."""
    if not isinstance(value, dict):
        return []
    column = value.get("column", "")
    lines = []
    merged = value.get("merged") or []
    if merged:
        lines.append(f"列“{column}”按要求合并 merged on request: " + "；".join(
            f"“{m.get('from')}”（{m.get('n')} 行 rows）→“{m.get('to')}”（{m.get('by')}）" for m in merged))
    for v in value.get("variants") or []:
        labels = "、".join(f"“{x.get('label')}”（{x.get('n')} 行 rows）" for x in v.get("labels") or [])
        lines.append(f"注意：列“{column}”疑似同一地方的不同写法，未合并、按不同群体计算 "
                     f"warning: likely one place written differently, not merged: {labels} → “{v.get('suggested')}”")
    return lines


def _digest(evidence: Any) -> str:
    """A vote's evidence digest, short (``–`` for a vote from before votes carried their evidence)."""
    digest = (evidence or {}).get("digest") if isinstance(evidence, dict) else None
    return f"`{digest[:16]}…`" if digest else "–"


def to_markdown(doc: dict[str, Any]) -> str:
    """A readable Markdown rendering (Chinese first, English in brackets)."""
    rec = doc["record"]
    g = rec["groups"]
    h = g["H"]
    lines = [f"# 伦理审查签署记录 Ethics-review sign-off record {rec['header']['record_id']}", ""]
    lines += [f"- 委员会 Committee: {g['A']['committee']}",
              f"- 模型 Model: {g['B']['model_name']} {g['B']['model_version']} (sha256 {g['B']['artifact_sha256']})",
              f"- 供应商 Vendor: {g['B']['vendor_name']} ({g['B']['vendor_uscc']})",
              f"- 风险等级 Risk tier: {g['F']['risk_tier']}",
              f"- **决定 Decision: {h['decision']}**",
              f"- 表决 Votes: 赞成 for {h['counts']['for']} · 反对 against {h['counts']['against']} · "
              f"弃权 abstain {h['counts']['abstain']} · 回避 recused {h['counts']['recused']} · "
              f"出席有表决权 present {h['counts']['present']}",
              f"- 下次跟踪审查 Next review: {g['I']['next_review']}",
              f"- 记录哈希 Record hash: `{rec['record_hash']}`"]
    head = doc.get("chain_head")
    if head:
        lines += [f"- 导出时链头 Chain head at export ({head['committee_name']}): `{head['seq']}:{head['hash']}`",
                  "  （公布此链头；日后可用 `sandbox verify --all --expect-head` 核对记录链未被删减或改写 / publish it: "
                  "`sandbox verify --all --expect-head` later proves the chain was not cut short or rewritten）"]
    lines += [""]
    lines += ["## 条件 Conditions", "", "| id | 条件 | 责任人 owner | 期限 due | 完成证据 evidence | 状态 status |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {c['id']} | {_md(c['text'])} | {_md(c['owner'])} | {c['due']} | {_md(c.get('evidence', ''))} | "
              f"{c['status']} |" for c in h["conditions"]] or ["| – | 无 none | | | | |"]
    lines += _condition_history_md(doc)
    if doc.get("votes"):
        lines += ["", "## 签名表决 Signed votes", "", "| 委员 member | 表决 vote | 时间 time | 公钥指纹 fingerprint | 链序号 seq | "
                  "所据证据 evidence |", "|---|---|---|---|---|---|"]
        lines += [f"| {v['vote']['name']} ({v['vote']['voter']}) | {v['vote']['choice']} | {v['vote']['voted_at']} | "
                  f"`{v['fingerprint'][:16]}…` | {v['seq']} | {_digest(v['vote'].get('evidence'))} |" for v in doc["votes"]]
        if h.get("evidence_digest"):
            lines += ["", f"决定所据证据 Evidence the decision was taken on: `{h['evidence_digest']}`"]
    if doc.get("membership"):
        lines += ["", "## 委员变动 Membership changes", "", "| 次 no. | 链序号 seq | 变动 change | 委员 member | 经办 by | "
                  "时间 at | 理由 reason |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {m.get('number')} | {e['seq']} | {CHANGE_ZH.get(m.get('change'), '')} {m.get('change')} | "
                  f"{m.get('username')} | {m.get('by')} | {m.get('at')} | {m.get('reason')} |"
                  for e in doc["membership"] for m in [e.get("membership") or {}]]
    lines += ["", "## 审查清单 Checklist", "", "| id | 项目 | 回答 | 说明 | 证据 | 来源 |", "|---|---|---|---|---|---|"]
    for item, (zh, _en, _basis, star) in CHECKLIST.items():
        a = g["G"]["checklist"].get(item, {})
        lines.append(f"| {item}{' ★' if star else ''} | {zh} | {ANSWER_ZH.get(a.get('answer'), a.get('answer'))} | "
                     f"{a.get('explanation', '')} | {a.get('evidence', '')} | {a.get('source', '')} |")
    lines += ["", "## 签名 Signatures", "", "| 签署人 | 角色 | 含义 meaning | 时间 | 公钥指纹 fingerprint |",
              "|---|---|---|---|---|"]
    lines += [f"| {s['signed']['name']} ({s['signed']['signer']}) | {s['signed']['role']} | "
              f"{MEANING_ZH.get(s['signed']['meaning'], '')} {s['signed']['meaning']} | {s['signed']['signed_at']} | "
              f"`{s['fingerprint']}` |" for s in doc["signatures"]] or ["| 尚无签名 none yet | | | | |"]
    lines += [""]
    for group, (zh, en) in GROUP_TITLES.items():
        lines += [f"## {group}. {zh} {en}", ""]
        for name, value in g[group].items():
            if group == "G" and name == "checklist":
                continue
            if group == "E" and name == "district_labels":
                lines += [f"- **{name}**: {_md(line)}" for line in district_labels_text(value)]
                continue
            lines.append(f"- **{name}**: {_fmt(value)}")
        lines.append("")
    return "\n".join(lines)


STATUS_ZH = {"open": "未完成", "submitted": "待主任委员确认", "accepted": "已完成"}
ACTION_ZH = {"submitted": "提交证据", "accepted": "确认完成", "rejected": "退回"}


def _condition_history_md(doc: dict[str, Any]) -> list[str]:
    """Each condition's status on the export's date, then every step (an export before /2 has none)."""
    if not doc.get("condition_status"):
        return []
    lines = ["", f"### 条件进展 Condition follow-up（截至 as of {doc['conditions_as_of']}）", "",
             "| id | 状态 status | 逾期 overdue | 完成时间 met at | 最近证据 latest evidence |", "|---|---|---|---|---|"]
    lines += [f"| {c['id']} | {STATUS_ZH[c['status']]} {c['status']} | "
              f"{'逾期 ' + str(c['days_overdue']) + ' 天 days' if c['overdue'] else '否 no'} | {c['met_at'] or '–'} | "
              f"{_md(c['evidence'])} {_md(c['link'])} |" for c in doc["condition_status"]]
    if doc.get("condition_steps"):
        lines += ["", "| 链序号 seq | id | 步骤 step | 人 by | 时间 at | 证据/说明 evidence/note |", "|---|---|---|---|---|---|"]
        lines += [f"| {e['seq']} | {x['id']} | {ACTION_ZH.get(x['action'], '')} {x['action']} | {x['name']} ({x['by']}) | "
                  f"{x['at']} | {_md(x.get('evidence') or x.get('note') or '')} {_md(x.get('link') or '')} |"
                  for e in doc["condition_steps"] for x in [e["condition"]]]
    return lines


def export_record(*, actor: Actor, record_id: str, fmt: Format, out: str | Path) -> dict[str, Any]:
    """Write the record as ``pdf``, ``md`` or ``json`` to ``out`` (atomically)."""
    if fmt not in ("pdf", "md", "json"):
        raise InputError("review.bad_choice", field="format", value=fmt, choices="pdf, md, json")
    from sandbox.files import atomic_path, atomic_write_text  # pandas: only when exporting

    doc = export_document(actor=actor, record_id=record_id)
    out = Path(out)
    if fmt == "json":
        atomic_write_text(out, canonical(doc, pretty=True))
    elif fmt == "md":
        atomic_write_text(out, to_markdown(doc))
    else:
        from sandbox.review._pdf import render_pdf

        with atomic_path(out) as tmp:
            render_pdf(doc, tmp)
    return {"record_id": record_id, "format": fmt, "out": str(out), "bytes": out.stat().st_size}


def export_bytes(*, actor: Actor, record_id: str, fmt: Format) -> bytes:
    """The export as bytes (workbench download buttons)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"record.{fmt}"
        export_record(actor=actor, record_id=record_id, fmt=fmt, out=out)
        return out.read_bytes()
