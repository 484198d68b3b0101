"""The record as a Chinese PDF (fpdf2, embedded WenQuanYi Zen Hei).

Large type for older readers (body 14 pt); heatmap cells print their values,
shading is only a help. The font comes from the Debian package
``fonts-wqy-zenhei`` (installed by ``make install``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.errors import ConfigError
from sandbox.pdf_font import FONT, printable
from sandbox.review._evidence import NOT_PROVIDED
from sandbox.review._rules import CHECKLIST

__all__ = ["FONT", "heatmap_grid", "printable", "render_pdf"]

BODY = 14
ANSWER_ZH = {"yes": "是", "no": "否", "n.a.": "不适用", None: "未答"}
MEANING_ZH = {"reviewed": "已审阅 reviewed", "approved": "批准签署 approved", "acknowledged": "确认知悉 acknowledged"}


def heatmap_grid(heatmap: Any) -> tuple[list[str], list[str], list[list[Any]]] | None:
    """(row labels, column labels, values) from the audit heatmap, whatever its shape."""
    if isinstance(heatmap, dict) and "rows" in heatmap and "values" in heatmap:
        if not heatmap["values"]:
            return None
        cols = heatmap.get("cols") or heatmap.get("columns") or []
        return [str(r) for r in heatmap["rows"]], [str(c) for c in cols], heatmap["values"]
    if isinstance(heatmap, dict) and heatmap and all(isinstance(v, dict) for v in heatmap.values()):
        rows = [str(r) for r in heatmap]
        cols = sorted({str(c) for v in heatmap.values() for c in v})
        return rows, cols, [[heatmap[r].get(c) for c in cols] for r in heatmap]
    if isinstance(heatmap, list) and heatmap and all(isinstance(x, dict) for x in heatmap):
        keys = list(heatmap[0])
        if len(keys) >= 3:
            rk, ck, vk = keys[0], keys[1], next((k for k in keys if k in ("value", "metric")), keys[2])
            rows = list(dict.fromkeys(str(x[rk]) for x in heatmap))
            cols = list(dict.fromkeys(str(x[ck]) for x in heatmap))
            cell = {(str(x[rk]), str(x[ck])): x.get(vk) for x in heatmap}
            return rows, cols, [[cell.get((r, c)) for c in cols] for r in rows]
    return None


def _policy(policy: Any) -> str:
    if isinstance(policy, dict):
        return f"{policy.get('name', '')} v{policy.get('version', '')}"
    return str(policy or NOT_PROVIDED)


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "—" if value is None else str(value)


def _shade(value: Any) -> tuple[int, int, int]:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return (255, 255, 255)
    v = max(0.0, min(1.0, float(value)))
    grey = int(255 - 110 * (1 - v))
    return (grey, grey, 255)


class _Doc:
    def __init__(self) -> None:
        import logging

        from fpdf import FPDF

        # fontTools notes that it drops the font's bitmap (BDF) table when subsetting: expected, not for users.
        logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

        if not FONT.exists():
            raise ConfigError("review.font_missing", path=str(FONT))
        pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_font("zh", "", str(FONT), collection_font_number=0)
        pdf.set_margins(15, 15, 15)
        pdf.add_page()
        pdf.set_font("zh", size=BODY)
        self.pdf = pdf

    def heading(self, text: str, size: int = 18) -> None:
        self.pdf.ln(3)
        self.pdf.set_font("zh", size=size)
        self.pdf.multi_cell(0, size * 0.5, printable(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font("zh", size=BODY)
        self.pdf.ln(1)

    def line(self, text: str, size: int = BODY) -> None:
        self.pdf.set_font("zh", size=size)
        self.pdf.multi_cell(0, size * 0.5, printable(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font("zh", size=BODY)

    def table(self, header: list[str], rows: list[list[str]], widths: tuple[int, ...], size: int = 12,
              fills: list[list[tuple[int, int, int]]] | None = None) -> None:
        from fpdf.fonts import FontFace

        self.pdf.set_font("zh", size=size)
        with self.pdf.table(col_widths=widths, line_height=size * 0.5, first_row_as_headings=True,
                            headings_style=FontFace(fill_color=(225, 225, 225))) as table:
            head = table.row()
            for cell in header:
                head.cell(printable(cell))
            for i, values in enumerate(rows):
                row = table.row()
                for j, cell in enumerate(values):
                    style = FontFace(fill_color=fills[i][j]) if fills else None
                    row.cell(printable(str(cell)), style=style)
        self.pdf.set_font("zh", size=BODY)
        self.pdf.ln(2)


def render_pdf(doc: dict[str, Any], out: str | Path) -> Path:
    """Write the PDF of an export document (see ``export_document``)."""
    rec = doc["record"]
    g = rec["groups"]
    h, b = g["H"], g["B"]
    d = _Doc()
    d.heading(f"伦理审查签署记录 {rec['header']['record_id']}", size=22)
    d.line(f"{g['A']['committee']} · 审查类型 {g['A']['review_type']} · 决定日期 {g['A']['dates']['decision']}")
    d.line(f"模型：{b['model_name']} 版本 {b['model_version']}")
    d.line(f"供应商：{b['vendor_name']}（统一社会信用代码 {b['vendor_uscc']}，校验{'通过' if b['uscc_valid'] else '未通过'}）")
    d.line(f"制品 sha256：{b['artifact_sha256']}", size=10)
    d.line(f"风险等级：{g['F']['risk_tier']}（得分 {g['F']['risk_score']['score']}/{g['F']['risk_score']['max']}）"
           f" · 需专家复核：{'是' if g['C']['expert_rereview_list'] else '否'}")
    d.heading(f"决定：{h['decision']}", size=20)
    if h.get("reasons"):
        d.line(f"理由：{h['reasons']}")
    c = h["counts"]
    d.table(["赞成", "反对", "弃权", "回避", "出席有表决权", "三分之二"],
            [[c["for"], c["against"], c["abstain"], c["recused"], c["present"], "满足" if h["two_thirds_met"] else "不满足"]],
            (1, 1, 1, 1, 2, 1))
    d.line(f"下次跟踪审查：{g['I']['next_review']} · 记录保存至：{g['K']['retention_until']}")
    d.heading("附加条件 Conditions")
    conds = [[x["id"], x["text"], x["owner"], x["due"], x.get("evidence") or "—", x["status"]] for x in h["conditions"]]
    if conds:
        d.table(["编号", "条件", "责任人", "期限", "完成证据", "状态"], conds, (1, 5, 2, 2, 2, 1))
    else:
        d.line("无 / none")
    _condition_history(d, doc)
    d.heading("出席委员 Members present")
    d.table(["委员", "类别", "性别", "表决权"],
            [[m["name"], m["category"], m["sex"], "有" if m["voting"] else "回避"] for m in g["G"]["members_present"]],
            (4, 2, 1, 2))
    if g["G"]["recusals"]:
        d.line("回避：" + "；".join(f"{u}（{why}）" for u, why in g["G"]["recusals"].items()), size=12)
    d.heading("审查清单 Checklist")
    rows = []
    for item, (zh, _en, _basis, star) in CHECKLIST.items():
        a = g["G"]["checklist"].get(item, {})
        source = {"override": "改写预填", "confirmed": "确认预填", "evidence": "证据预填"}.get(a.get("source", ""), "审查员")
        rows.append([f"{item}{'★' if star else ''}", zh, ANSWER_ZH.get(a.get("answer"), str(a.get("answer"))),
                     (a.get("explanation") or "")[:160], source])
    d.table(["编号", "项目", "回答", "说明", "来源"], rows, (2, 6, 2, 6, 2), size=11)
    _evidence(d, g)
    if doc.get("votes"):
        d.heading("签名表决 Signed votes")
        d.table(["委员", "表决", "时间 (UTC)", "公钥指纹 SHA-256", "链序号"],
                [[v["vote"]["name"], v["vote"]["choice"], v["vote"]["voted_at"].replace("T", " ")[:19],
                  " ".join(v["fingerprint"][i:i + 8] for i in range(0, 32, 8)) + " …", str(v["seq"])]
                 for v in doc["votes"]], (3, 2, 3, 5, 1), size=11)
    d.heading("签名 Signatures")
    sigs = [[s["signed"]["name"], s["signed"]["role"], MEANING_ZH.get(s["signed"]["meaning"], s["signed"]["meaning"]),
             s["signed"]["signed_at"].replace("T", " ")[:19], " ".join(s["fingerprint"][i:i + 8] for i in range(0, 64, 8))]
            for s in doc["signatures"]]
    if sigs:
        d.table(["签署人", "角色", "签名含义", "时间 (UTC)", "公钥指纹 SHA-256"], sigs, (3, 2, 3, 3, 6), size=11)
    else:
        d.line("尚无签名 / no signatures yet")
    if doc.get("membership"):
        d.heading("委员变动 Membership changes")
        d.table(["次", "链序号", "变动", "委员", "经办", "时间 (UTC)", "理由"],
                [[str(m.get("number")), str(e["seq"]), {"joined": "加入", "left": "退出"}.get(m.get("change"), ""),
                  str(m.get("username")), str(m.get("by")), str(m.get("at") or "").replace("T", " ")[:19],
                  str(m.get("reason") or "")[:80]]
                 for e in doc["membership"] for m in [e.get("membership") or {}]], (1, 1, 1, 3, 2, 3, 5), size=11)
    d.heading("完整性 Integrity", size=14)
    d.line(f"记录哈希 {rec['record_hash']}", size=10)
    d.line(f"前一记录哈希 {g['K']['prev_hash']}", size=10)
    head = doc.get("chain_head")
    if head:
        d.line(f"导出时链头（{head['committee_name']}）：第 {head['seq']} 条", size=12)
        d.line(f"{head['seq']}:{head['hash']}", size=9)
        d.line("请公布此链头；日后运行 sandbox verify --all --expect-head 链头，可证明记录链未被删减或改写。", size=11)
    d.line("核验：sandbox verify 导出的 JSON 文件（只需文件中的公钥，逐票核对签名表决）。", size=12)
    d.pdf.output(str(out))
    return Path(out)


def _condition_history(d: _Doc, doc: dict[str, Any]) -> None:
    """Each condition's status on the export's date and its steps (exports before format /2 have none)."""
    status = doc.get("condition_status")
    if not status:
        return
    from sandbox.review._export import ACTION_ZH, STATUS_ZH

    d.line(f"条件进展 Condition follow-up（截至 {doc['conditions_as_of']}）", size=12)
    d.table(["编号", "状态", "逾期", "完成时间", "最近证据"],
            [[c["id"], STATUS_ZH[c["status"]], f"{c['days_overdue']} 天" if c["overdue"] else "否", c["met_at"] or "—",
              f"{c['evidence']} {c['link']}".strip()[:160] or "—"] for c in status], (1, 2, 1, 3, 6), size=11)
    steps = [e["condition"] | {"seq": e["seq"]} for e in doc.get("condition_steps") or []]
    if steps:
        d.table(["链序号", "编号", "步骤", "人", "时间 (UTC)", "证据/说明"],
                [[x["seq"], x["id"], ACTION_ZH.get(x["action"], x["action"]), x["name"], x["at"].replace("T", " ")[:19],
                  (x.get("evidence") or x.get("note") or "")[:160]] for x in steps], (1, 1, 2, 2, 3, 6), size=11)


def _evidence(d: _Doc, g: dict[str, Any]) -> None:
    d.heading("证据摘要 Evidence summary")
    e = g["E"]
    grid = heatmap_grid(e.get("heatmap"))
    if grid is None:
        d.line(f"公平性热力图（年龄段 × 街道/镇）：{NOT_PROVIDED}")
    else:
        rows, cols, values = grid
        metric = e["heatmap"].get("metric", "") if isinstance(e.get("heatmap"), dict) else ""
        d.line(f"公平性热力图（年龄段 × 街道/镇，{metric}；格内印有数值，颜色仅辅助）· 策略 {_policy(e.get('policy'))}",
               size=12)
        for start in range(0, len(cols), 6):  # six districts per table keeps the type large
            part = cols[start:start + 6]
            d.table(["年龄段", *part],
                    [[r, *(_num(v) for v in vals[start:start + 6])] for r, vals in zip(rows, values, strict=False)],
                    (3, *([2] * len(part))), size=11,
                    fills=[[(255, 255, 255), *(_shade(v) for v in vals[start:start + 6])] for vals in values])
    verdicts = e.get("verdicts")
    d.line("审计结论：" + (", ".join(f"{v['audit_id']}={v['verdict']}" for v in verdicts)
                          if isinstance(verdicts, list) else NOT_PROVIDED), size=12)
    from sandbox.review._export import district_labels_text

    for line in district_labels_text(e.get("district_labels")):
        d.line(line, size=12)
    dd = g["D"]
    releases = dd.get("releases")
    if isinstance(releases, list):
        for r in releases:
            d.line(f"数据发布：{r.get('label', '?')} · k={r.get('k', '?')} · ε={r.get('epsilon', r.get('epsilon_spent', '?'))}"
                   f" · 清单 {str(r.get('manifest_sha256', ''))[:16]}", size=12)
    else:
        d.line(f"数据发布与隐私预算：{NOT_PROVIDED}", size=12)
    d.line(f"个人信息影响评估触发（PIPL 第55条）：{dd.get('art55_triggers')}", size=12)
