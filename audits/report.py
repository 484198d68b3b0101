"""Audit reports: JSON, CSV, Chinese HTML and PDF.

The heatmap (age band × district) prints the value, n and a verdict mark in
every cell, so it never relies on colour alone.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sandbox.errors import InputError
from sandbox.i18n import t
from sandbox.pdf_font import FONT, printable

from ._report_lines import fmt as _fmt
from ._report_lines import input_lines, metric_label, small_group_lines, variant_lines
from ._score_report import (
    calibration_frame,
    impossibility_text,
    pass_range_frame,
    score_html,
    score_lines,
    sweep_frame,
    threshold_line,
)

__all__ = [
    "ERR_OUT_SUFFIX",
    "FONT_PATH",
    "calibration_frame",
    "checks_frame",
    "groups_frame",
    "heatmap_frame",
    "impossibility_text",
    "input_lines",
    "method_text",
    "metric_label",
    "pass_range_frame",
    "render_csv",
    "render_html",
    "render_json",
    "render_pdf",
    "score_lines",
    "small_group_lines",
    "sweep_frame",
    "threshold_line",
    "variant_lines",
    "what_if_frame",
    "write_report",
]

ERR_OUT_SUFFIX = "audits.errors.out_suffix"
FONT_PATH = FONT  # the font every PDF of the sandbox embeds (sandbox.pdf_font)
MARKS = {"fail": "×", "insufficient": "?", "pass": "√"}  # glyphs present in GB2312 fonts
Lang = Literal["zh", "en"]


def _interval(low: Any, high: Any) -> str:
    return "—" if low is None and high is None else f"[{_fmt(low)}, {_fmt(high)}]"


def checks_frame(result: dict[str, Any], *, lang: Lang = "zh") -> pd.DataFrame:
    """One row per check × group (the table the committee reads)."""
    rows = []
    for c in result["checks"]:
        rows.append({
            t("audits.col.check", lang): f"{metric_label(c['metric'], lang)} · "
            + t(f"audits.kind.{c['kind']}", lang, threshold=c["threshold"]),
            t("audits.col.dimension", lang): t(f"audits.dim.{c['dimension']}", lang),
            t("audits.col.group", lang): c["group"],
            t("audits.col.reference", lang): c["reference"],
            t("audits.col.n", lang): c["n"],
            t("audits.col.value", lang): c["value"],
            t("audits.col.value_interval", lang): _interval(c.get("value_low"), c.get("value_high")),
            t("audits.col.disparity", lang): c["disparity"],
            t("audits.col.interval", lang): f"[{_fmt(c['ci_low'])}, {_fmt(c['ci_high'])}]",
            t("audits.col.p_adjusted", lang): c["p_fail_adjusted"],
            t("audits.col.verdict", lang): t(f"audits.verdict.{c['verdict']}", lang),
            t("audits.col.reason", lang): t(f"audits.reason.{c['reason']}", lang) if c["reason"] else "",
            t("audits.col.n_needed", lang): c["n_needed"],
        })
    return pd.DataFrame(rows)


def groups_frame(result: dict[str, Any], *, metrics: list[str] | None = None, lang: Lang = "zh") -> pd.DataFrame:
    """Per-group metrics with their intervals (one row per dimension × group)."""
    rows = []
    for g in result["groups"]:
        row: dict[str, Any] = {
            t("audits.col.dimension", lang): t(f"audits.dim.{g['dimension']}", lang),
            t("audits.col.group", lang): g["group"] + (" ★" if g["reference"] else ""),
            t("audits.col.n", lang): g["n"],
        }
        if "n_labelled" in g:
            row[t("audits.col.n_labelled", lang)] = g["n_labelled"]
        for name in metrics or list(g["metrics"]):
            m = g["metrics"].get(name)
            if m is None or name in ("count", "mean_prediction"):
                continue
            row[metric_label(name, lang)] = m["value"] if m["defined"] else None
            wilson = "wilson_low" in m  # rates: the Wilson interval (bootstrap percentiles collapse for 0 of 3)
            row[f"{metric_label(name, lang)} 95%"] = _interval(m["wilson_low" if wilson else "ci_low"],
                                                               m["wilson_high" if wilson else "ci_high"])
        rows.append(row)
    return pd.DataFrame(rows)


def render_json(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2, default=str)


def render_csv(result: dict[str, Any], *, lang: Lang = "zh") -> str:
    from sandbox.files import neutralise_formulas

    return neutralise_formulas(checks_frame(result, lang=lang)).to_csv(index=False)


def _cell_marks(result: dict[str, Any]) -> dict[str, str]:
    worst: dict[str, str] = {}
    order = {"pass": 0, "insufficient": 1, "fail": 2}
    for c in result["checks"]:
        if c["dimension"] == "intersection":
            now = worst.get(c["group"], "pass")
            worst[c["group"]] = c["verdict"] if order[c["verdict"]] > order[now] else now
    return worst


def _colour(value: float | None, low: float, high: float) -> str:
    if value is None:
        return "#f2f2f2"
    x = 0.5 if high <= low else (value - low) / (high - low)
    r, g, b = int(255 - 120 * x), int(255 - 80 * x), 255
    return f"#{r:02x}{g:02x}{b:02x}"


def _heat_cells(result: dict[str, Any]) -> tuple[list[str], list[str], list[list[tuple[str, str]]]]:
    heat = result["heatmap"]
    flat = [v for row in heat["values"] for v in row if v is not None]
    low, high = (min(flat), max(flat)) if flat else (0.0, 1.0)
    marks = _cell_marks(result)
    grid = []
    for i, age in enumerate(heat["rows"]):
        line = []
        for j, district in enumerate(heat["cols"]):
            value, n = heat["values"][i][j], heat["n"][i][j]
            mark = MARKS.get(marks.get(f"{age} × {district}", ""), "")
            text = "—" if n == 0 else f"{_fmt(value)} {mark}\nn={n}"
            line.append((text, _colour(value if n else None, low, high)))
        grid.append(line)
    return heat["rows"], heat["cols"], grid


def _header_lines(result: dict[str, Any], lang: Lang) -> list[tuple[str, str]]:
    model = result.get("model")
    s = result["summary"]
    return [
        (t("audits.report.model", lang), f"{model['name']} / {model['version']}" if model
         else t("audits.report.predictions_only", lang)),
        (t("audits.report.policy", lang), result["policy"]["label"]),
        (t("audits.report.dataset", lang), f"{result.get('files', {}).get('data', '')} · sha256 {result.get('dataset_sha256', '')[:16]}…"),
        (t("audits.report.rows", lang), str(result["n_rows"])),
        (t("audits.report.verdict", lang), t(f"audits.verdict.{result['verdict']}", lang) + " · "
         + t("audits.report.summary", lang, total=sum(s.values()), passed=s["pass"], failed=s["fail"],
             insufficient=s["insufficient"])),
    ]


def method_text(result: dict[str, Any], lang: Lang) -> str:
    b, c = result["bootstrap"], result["correction"]
    name = {"holm": "Holm", "bh": "Benjamini–Hochberg"}[c["method"]]
    text = t("audits.report.method", lang, replicates=b["replicates"], seed=b["seed"], interval=b["interval"],
             correction=name, family=c["family_size"], alpha=c["alpha"])
    wilson = any("wilson_low" in m for g in result.get("groups", [])[:1] for m in g["metrics"].values())
    return text + t("audits.report.method_wilson", lang) if wilson else text


def render_html(result: dict[str, Any], *, lang: Lang = "zh") -> str:
    """A self-contained HTML report (Chinese by default)."""
    esc = html.escape
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(t('audits.report.title', lang))}</title>",
             "<style>body{font-family:'WenQuanYi Zen Hei','Noto Sans CJK SC',sans-serif;margin:2em}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:4px 6px;"
             "font-size:12px;text-align:center;white-space:pre-line}.fail{color:#b00020;font-weight:bold}</style></head><body>",
             f"<h1>{esc(t('audits.report.title', lang))}</h1><table>"]
    parts += [f"<tr><th>{esc(k)}</th><td style='text-align:left'>{esc(v)}</td></tr>" for k, v in _header_lines(result, lang)]
    parts.append(f"</table><p>{esc(method_text(result, lang))}</p>")
    parts.append(score_html(result, lang=lang))
    notes = input_lines(result, lang)
    if notes:
        parts.append("<p>" + "<br>".join(esc(x) for x in notes) + "</p>")
    variants = variant_lines(result, lang)
    if variants:
        parts.append("<div class='fail'>" + "<br>".join(esc(x) for x in variants) + "</div>")
    small = small_group_lines(result, lang)
    if small:
        parts.append("<p>" + "<br>".join(esc(x) for x in small) + "</p>")
    rows, cols, grid = _heat_cells(result)
    metric = metric_label(result["heatmap"]["metric"], lang)
    parts.append(f"<h2>{esc(t('audits.report.heatmap', lang, metric=metric))}</h2><table><tr><th></th>")
    parts += [f"<th>{esc(c)}</th>" for c in cols]
    parts.append("</tr>")
    for age, line in zip(rows, grid, strict=True):
        parts.append(f"<tr><th>{esc(age)}</th>" + "".join(
            f"<td style='background:{colour}'>{esc(text)}</td>" for text, colour in line) + "</tr>")
    parts.append(f"</table><p>{esc(t('audits.report.heatmap_legend', lang))}</p>")
    frame = checks_frame(result, lang=lang)
    verdict_col = t("audits.col.verdict", lang)
    for title, wanted in (("audits.report.failures", "fail"), ("audits.report.insufficient", "insufficient")):
        subset = frame[frame[verdict_col] == t(f"audits.verdict.{wanted}", lang)] if len(frame) else frame
        parts.append(f"<h2>{esc(t(title, lang))}</h2>")
        parts.append(subset.to_html(index=False, na_rep="—", float_format=lambda v: f"{v:.3f}")
                     if len(subset) else f"<p>{esc(t('audits.report.none', lang))}</p>")
    parts.append(f"<h2>{esc(t('audits.report.groups', lang))}</h2>")
    parts.append(groups_frame(result, lang=lang).to_html(index=False, na_rep="—", float_format=lambda v: f"{v:.3f}"))
    versions = " · ".join(f"{k} {v}" for k, v in (result.get("tool_versions") or {}).items())
    parts.append(f"<p>{esc(t('audits.report.tool_versions', lang))}: {esc(versions)}</p></body></html>")
    return "".join(parts)


def render_pdf(result: dict[str, Any], *, lang: Lang = "zh") -> bytes:
    """A PDF report with a CJK font (WenQuanYi Zen Hei)."""
    import logging

    from fpdf import FPDF

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("wqy", fname=str(FONT_PATH), collection_font_number=0)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("wqy", size=16)
    pdf.cell(0, 10, t("audits.report.title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("wqy", size=9)
    for key, value in _header_lines(result, lang):
        pdf.multi_cell(0, 5, printable(f"{key}：{value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, method_text(result, lang), new_x="LMARGIN", new_y="NEXT")
    for line in score_lines(result, lang):
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    for line in [*input_lines(result, lang), *variant_lines(result, lang), *small_group_lines(result, lang)]:
        pdf.multi_cell(0, 5, printable(line), new_x="LMARGIN", new_y="NEXT")
    rows, cols, grid = _heat_cells(result)
    pdf.ln(2)
    pdf.set_font("wqy", size=11)
    pdf.cell(0, 7, t("audits.report.heatmap", lang, metric=metric_label(result["heatmap"]["metric"], lang)),
             new_x="LMARGIN", new_y="NEXT")
    width = min(20.0, (pdf.w - 2 * pdf.l_margin - 18) / max(len(cols), 1))
    pdf.set_font("wqy", size=6)
    pdf.cell(18, 6, "", border=1)
    for col in cols:
        pdf.cell(width, 6, printable(col.split("（")[0][:8] if col.endswith("）") else col[:8]), border=1, align="C")
    pdf.ln()
    for age, line in zip(rows, grid, strict=True):
        pdf.cell(18, 8, printable(age), border=1, align="C")
        for text, colour in line:
            pdf.set_fill_color(int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
            pdf.cell(width, 8, printable(text.replace("\n", " ")), border=1, align="C", fill=True)
        pdf.ln()
    pdf.set_font("wqy", size=8)
    pdf.multi_cell(0, 5, t("audits.report.heatmap_legend", lang), new_x="LMARGIN", new_y="NEXT")
    frame = checks_frame(result, lang=lang)
    verdict_col = t("audits.col.verdict", lang)
    for title, wanted in (("audits.report.failures", "fail"), ("audits.report.insufficient", "insufficient")):
        pdf.set_font("wqy", size=11)
        pdf.cell(0, 8, t(title, lang), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("wqy", size=7)
        subset = frame[frame[verdict_col] == t(f"audits.verdict.{wanted}", lang)] if len(frame) else frame
        if subset.empty:
            pdf.cell(0, 5, t("audits.report.none", lang), new_x="LMARGIN", new_y="NEXT")
        for _, row in subset.head(60).iterrows():
            pdf.multi_cell(0, 4, printable(" · ".join(f"{k}: {_fmt(v)}" for k, v in row.items())), new_x="LMARGIN",
                           new_y="NEXT")
    return bytes(pdf.output())


def write_report(result: dict[str, Any], path: str | Path, *, lang: Lang = "zh") -> Path:
    """Write the report; the format follows the suffix (.json .csv .html .pdf)."""
    from sandbox.files import atomic_write_bytes, atomic_write_text

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return atomic_write_text(path, render_json(result))
    if suffix == ".csv":
        return atomic_write_bytes(path, ("\ufeff" + render_csv(result, lang=lang)).encode("utf-8"))
    if suffix in (".html", ".htm"):
        return atomic_write_text(path, render_html(result, lang=lang))
    if suffix == ".pdf":
        return atomic_write_bytes(path, render_pdf(result, lang=lang))
    raise InputError(ERR_OUT_SUFFIX, file=path.name)


def heatmap_frame(result: dict[str, Any], metric: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values and counts of ``metric`` (default: the headline) as age band × district frames."""
    metric = metric or result["heatmap"]["metric"]
    heat = result["heatmap"]
    cells = {g["group"]: g for g in result["groups"] if g["dimension"] == "intersection"}
    values = pd.DataFrame(index=heat["rows"], columns=heat["cols"], dtype=float)
    counts = pd.DataFrame(0, index=heat["rows"], columns=heat["cols"], dtype=int)
    for age in heat["rows"]:
        for district in heat["cols"]:
            cell = cells.get(f"{age} × {district}")
            if cell is None:
                continue
            m = cell["metrics"].get(metric) or {}
            values.loc[age, district] = m.get("value") if m.get("defined") else None
            counts.loc[age, district] = cell["n"]
    return values, counts


def what_if_frame(result: dict[str, Any], *, lang: Lang = "zh") -> pd.DataFrame:
    """Selection rate / TPR / FPR per age band and overall accuracy, before and after each constraint."""
    wf = result.get("what_if") or {}
    scenarios = {"before": wf.get("before", {})} | {k: v for k, v in (wf.get("after") or {}).items() if "groups" in v}
    rows = []
    for name, block in scenarios.items():
        for group, m in block.get("groups", {}).items():
            rows.append({"scenario": name, t("audits.col.group", lang): group, t("audits.col.n", lang): m["n"],
                         metric_label("selection_rate", lang): m["selection_rate"],
                         metric_label("true_positive_rate", lang): m["true_positive_rate"],
                         metric_label("false_positive_rate", lang): m["false_positive_rate"],
                         metric_label("accuracy", lang) + " (overall)": block.get("accuracy")})
    return pd.DataFrame(rows)
