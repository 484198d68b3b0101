"""The score part of audit reports: threshold statement, sweep, calibration, the impossibility note."""

from __future__ import annotations

import html
from typing import Any, Literal

import pandas as pd

from sandbox.i18n import t

__all__ = [
    "calibration_frame",
    "impossibility_text",
    "pass_range_frame",
    "score_html",
    "score_lines",
    "sweep_frame",
    "threshold_line",
]

Lang = Literal["zh", "en"]


def _num(value: Any, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def threshold_line(result: dict[str, Any], lang: Lang) -> str | None:
    """``评分阈值：评分 ≥ 5（来源：评审人指定）`` — always stated when a score was audited."""
    section = result.get("score")
    spec = (section or {}).get("spec") or result.get("threshold")
    if not spec:
        return None
    if spec.get("threshold") is None:
        return t("audits.score.no_threshold", lang, column=spec["column"],
                 prediction=(result.get("columns") or {}).get("prediction") or "")
    key = "audits.score.threshold_line" if spec.get("decisions") == "score" else "audits.score.threshold_marked"
    return t(key, lang, column=spec["column"], operator=spec["operator"], threshold=spec["threshold_label"],
             source=t(f"audits.score.source.{spec['source']}", lang),
             prediction=(result.get("columns") or {}).get("prediction") or "")


def _range_text(entry: dict[str, Any], lang: Lang) -> str:
    ranges = entry["ranges"]
    if not ranges:
        return t("audits.score.pass_never", lang)
    return "; ".join(r["from_label"] if r["from_label"] == r["to_label"] else f"{r['from_label']} – {r['to_label']}"
                     for r in ranges)


def _check_label(entry: dict[str, Any], lang: Lang) -> str:
    from .report import metric_label

    return f"{metric_label(entry['metric'], lang)} · " + t(f"audits.kind.{entry['kind']}", lang,
                                                           threshold=entry["threshold"])


def impossibility_text(result: dict[str, Any], lang: Lang) -> str | None:
    section = result.get("score") or {}
    differing = [b for b in section.get("base_rates", []) if b["differ"]]
    if not section:
        return None
    if not differing:
        return t("audits.score.impossibility_none", lang)
    b = differing[0]
    return t("audits.score.impossibility", lang, dimension=t(f"audits.dim.{b['dimension']}", lang),
             low_group=b["low_group"], low=_num(b["low"]), high_group=b["high_group"], high=_num(b["high"]))


def score_lines(result: dict[str, Any], lang: Lang) -> list[str]:
    """Plain-text lines for the CLI: threshold, where each check passes over the sweep, calibration verdicts."""
    lines = []
    threshold = threshold_line(result, lang)
    if threshold:
        lines.append(threshold)
    section = result.get("score")
    if not section:
        return lines
    for entry in section["sweep"]["pass_ranges"]:
        lines.append(t("audits.score.pass_range", lang, check=_check_label(entry, lang),
                       dimension=t(f"audits.dim.{entry['dimension']}", lang), ranges=_range_text(entry, lang)))
    cal = [c for c in result["checks"] if c["metric"] == "calibration_gap"]
    if cal:
        counts = {v: sum(c["verdict"] == v for c in cal) for v in ("pass", "fail", "insufficient")}
        lines.append(t("audits.score.calibration_summary", lang, max_gap=section["calibration"]["max_gap"],
                       min_cell=section["calibration"]["min_cell_size"], passed=counts["pass"],
                       failed=counts["fail"], insufficient=counts["insufficient"]))
    note = impossibility_text(result, lang)
    if note:
        lines.append(note)
    return lines


def sweep_frame(result: dict[str, Any], *, dimension: str, metric: str) -> pd.DataFrame:
    """Long frame (threshold, group, value, chosen) of one sweep metric — for charts."""
    sweep = result["score"]["sweep"]
    rows = []
    for g in sweep["dimensions"].get(dimension, {}).get("groups", []):
        for i, (x, label) in enumerate(zip(sweep["thresholds"], sweep["labels"], strict=True)):
            rows.append({"threshold": x, "label": label, "group": g["group"], "value": g[metric][i],
                         "chosen": i == sweep["chosen"]})
    return pd.DataFrame(rows)


def pass_range_frame(result: dict[str, Any], *, lang: Lang = "zh") -> pd.DataFrame:
    """One row per check × dimension: thresholds at which every sizeable group complies."""
    rows = []
    for entry in (result.get("score") or {}).get("sweep", {}).get("pass_ranges", []):
        at = entry["at_chosen"]
        rows.append({t("audits.col.check", lang): _check_label(entry, lang),
                     t("audits.col.dimension", lang): t(f"audits.dim.{entry['dimension']}", lang),
                     t("audits.score.col.pass_range", lang): _range_text(entry, lang),
                     t("audits.score.col.at_chosen", lang): "—" if at is None else
                     t("audits.verdict.pass" if at else "audits.verdict.fail", lang)})
    return pd.DataFrame(rows)


def calibration_frame(result: dict[str, Any], *, dimension: str, lang: Lang = "zh") -> pd.DataFrame:
    """Observed outcome rate per score bin (rows) and group (columns): ``rate [low, high] n``."""
    cal = result["score"]["calibration"]
    labels = [b["label"] for b in cal["bins"]]
    frame = pd.DataFrame(index=pd.Index(labels, name=t("audits.score.col.bin", lang)))
    for g in cal["dimensions"].get(dimension, {}).get("groups", []):
        cells = []
        for obs, lo, hi, n in zip(g["observed"], g["ci_low"], g["ci_high"], g["n_bin"], strict=True):
            cells.append("—" if n == 0 else f"{_num(obs)} [{_num(lo)}, {_num(hi)}] n={n}")
        frame[g["group"] + (" ★" if g["reference"] else "")] = cells
    return frame


def _summary_frame(result: dict[str, Any], dimension: str, lang: Lang) -> pd.DataFrame | None:
    groups = result["score"]["calibration"]["dimensions"].get(dimension, {}).get("groups", [])
    if not groups or "slope" not in groups[0]:
        return None
    return pd.DataFrame([{t("audits.col.group", lang): g["group"], t("audits.col.n", lang): g["n"],
                          t("audits.score.col.in_the_large", lang): g["in_the_large"],
                          t("audits.score.col.slope", lang): g["slope"]} for g in groups])


def score_html(result: dict[str, Any], *, lang: Lang = "zh") -> str:
    """HTML section: threshold, impossibility note, pass ranges, calibration tables, sweep at a glance."""
    esc = html.escape
    section = result.get("score")
    threshold = threshold_line(result, lang)
    if not section:
        return f"<p>{esc(threshold)}</p>" if threshold else ""
    parts = [f"<h2>{esc(t('audits.score.title', lang))}</h2>", f"<p><b>{esc(threshold or '')}</b></p>"]
    note = impossibility_text(result, lang)
    if note:
        parts.append(f"<p>{esc(note)}</p>")
    parts.append(f"<h3>{esc(t('audits.score.sweep_title', lang))}</h3>")
    ranges = pass_range_frame(result, lang=lang)
    parts.append(ranges.to_html(index=False) if len(ranges) else f"<p>{esc(t('audits.report.none', lang))}</p>")
    sweep = section["sweep"]
    for dimension in sweep["dimensions"]:
        table = {}
        for metric in ("selection_rate", "true_positive_rate", "false_positive_rate"):
            frame = sweep_frame(result, dimension=dimension, metric=metric)
            if frame.empty:
                continue
            wide = frame.pivot(index="label", columns="group", values="value").reindex(sweep["labels"])
            table[t(f"audits.metric.{metric}", lang)] = wide
        if table:
            joined = pd.concat(table, axis=1)
            marks = ["◀" if i == sweep["chosen"] else "" for i in range(len(sweep["labels"]))]
            joined.index = [f"{lab} {m}".strip() for lab, m in zip(joined.index, marks, strict=True)]
            parts.append(f"<h4>{esc(t('audits.score.sweep_table', lang, dimension=t(f'audits.dim.{dimension}', lang)))}</h4>")
            parts.append(joined.to_html(na_rep="—", float_format=lambda v: f"{v:.3f}"))
    cal = section["calibration"]
    parts.append(f"<h3>{esc(t('audits.score.calibration_title', lang))}</h3>")
    parts.append(f"<p>{esc(t('audits.score.calibration_note', lang, max_gap=cal['max_gap'], min_cell=cal['min_cell_size']))}</p>")
    for dimension in cal["dimensions"]:
        parts.append(f"<h4>{esc(t(f'audits.dim.{dimension}', lang))}</h4>")
        parts.append(calibration_frame(result, dimension=dimension, lang=lang).to_html())
        summary = _summary_frame(result, dimension, lang)
        if summary is not None:
            parts.append(summary.to_html(index=False, na_rep="—", float_format=lambda v: f"{v:.3f}"))
    return "".join(parts)
