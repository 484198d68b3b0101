"""The report's lines in words: what the audit did to the reviewer's columns, district labels, small groups.

Shared by the CLI (stderr/stdout), the HTML/PDF report and the page; split out of :mod:`audits.report`.
"""

from __future__ import annotations

from typing import Any, Literal

from sandbox.i18n import t

__all__ = ["fmt", "input_lines", "metric_label", "small_group_lines", "variant_lines"]

Lang = Literal["zh", "en"]


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def metric_label(name: str, lang: Lang) -> str:
    base, _, cls = name.partition("[")
    text = t(f"audits.metric.{base}", lang)
    return f"{text}[{cls}" if cls else text


def variant_lines(result: dict[str, Any], lang: Lang) -> list[str]:
    """The district labels merged on request and the likely variants left (a warning), one line each.

    Empty when the column had neither. Reports of audits recorded before this existed have no
    ``district_labels``: nothing is said about them.
    """
    labelling = result.get("district_labels") or {}
    lines: list[str] = []
    merged = labelling.get("merged") or []
    if merged:
        lines.append(t("audits.variants.merged", lang, column=labelling.get("column", "")))
        lines += [
            "  "
            + t(
                "audits.variants.merged_item",
                lang,
                old=m["from"],
                new=m["to"],
                n=m["n"],
                by=t(f"audits.variants.by.{m['by']}", lang),
            )
            for m in merged
        ]
    variants = labelling.get("variants") or []
    if variants:
        lines.append(
            t("audits.variants.title", lang, column=labelling.get("column", ""), count=len(variants))
        )
        for v in variants:
            labels = "、".join(
                t("audits.variants.label", lang, label=x["label"], n=x["n"]) for x in v["labels"]
            )
            lines.append("  " + t("audits.variants.group", lang, labels=labels, suggested=v["suggested"]))
        first = variants[0]
        other = next(x["label"] for x in first["labels"] if x["label"] != first["suggested"])
        lines.append(t("audits.variants.how", lang, example=f"{other}={first['suggested']}"))
    return lines


def input_lines(result: dict[str, Any], lang: Lang) -> list[str]:
    """What the audit did to the reviewer's columns and what it could not use, one line each.

    A score written as percentages converted to 0–1; ages computed from birth dates; rows with no usable age
    or district (the 未知 groups: how many, what share, the first such row as written) — with a stronger line
    when a fifth or more of the rows have no usable age (the age-band findings then speak for the others only).
    """
    lines: list[str] = []
    scale = result.get("score_scale")
    if scale:
        lines.append(t("audits.input.score_percent", lang, column=scale["column"], rows=scale["rows"]))
    converted = (result.get("age_source") or {}).get("converted")
    if converted:
        lines.append(t("audits.input.birth_dates", lang, column=result["age_source"]["column"], **converted))
        if converted["precision"] != "day":
            lines.append(t(f"audits.input.birth_{converted['precision']}", lang))
    coverage = result.get("labels") or {}
    if coverage.get("partial"):
        lines.append(_partial_line(result, coverage, lang))
    named = (result.get("district_labels") or {}).get("named")
    if named:
        lines.append(
            t(
                "audits.input.district_codes_named",
                lang,
                column=result["district_labels"].get("column", ""),
                codes=named["codes"],
                example=named["example"],
            )
        )
    banded = (result.get("age_source") or {}).get("bands")
    if banded:
        examples = "；" if lang == "zh" else "; "
        lines.append(
            t(
                "audits.input.age_bands",
                lang,
                column=banded["column"],
                rows=banded["rows"],
                examples=examples.join(
                    t("audits.input.age_band_item", lang, **v) for v in banded["values"][:4]
                ),
            )
        )
    unknown = result.get("unknown") or {}
    total = int(result.get("n_rows") or 0)
    age_rows, district_rows = int(unknown.get("age_rows") or 0), int(unknown.get("district_rows") or 0)
    if age_rows:
        example = unknown.get("age_example") or {}
        where = (
            t("audits.input.example_value", lang, row=example["row"], value=example["value"])
            if example.get("value") is not None
            else t("audits.input.example_row", lang, row=example["row"])
            if example.get("row")
            else ""
        )
        share = age_rows / total if total else 0.0
        lines.append(t("audits.input.unknown_age", lang, rows=age_rows, share=f"{share:.1%}", example=where))
        if share >= 0.2:
            lines.append(t("audits.input.unknown_age_many", lang, known=total - age_rows))
    if district_rows:
        lines.append(
            t(
                "audits.input.unknown_district",
                lang,
                rows=district_rows,
                share=f"{district_rows / total if total else 0.0:.1%}",
            )
        )
    return lines


def _partial_line(result: dict[str, Any], coverage: dict[str, Any], lang: Lang) -> str:
    values = "、" if lang == "zh" else ", "
    shown = values.join(
        f"“{v['value']}”" if v["value"] else t("audits.input.blank", lang) for v in coverage["values"]
    )
    main = [
        g
        for g in result.get("groups", [])
        if g["dimension"] in ("age_band", "district") and not g["unknown"] and "n_labelled" in g
    ]
    low = min(main, key=lambda g: g["n_labelled"] / g["n"], default=None)
    lowest = (
        t(
            "audits.input.partial_lowest",
            lang,
            group=low["group"],
            labelled=low["n_labelled"],
            n=low["n"],
            share=f"{low['n_labelled'] / low['n']:.1%}",
        )
        if low
        else "—"
    )
    rows = coverage["rows"]
    return t(
        "audits.input.partial_labels",
        lang,
        column=coverage["column"],
        labelled=coverage["labelled"],
        rows=rows,
        share=f"{coverage['labelled'] / rows if rows else 0:.1%}",
        values=shown or "—",
        lowest=lowest,
    )


def small_group_lines(result: dict[str, Any], lang: Lang, *, limit: int = 12) -> list[str]:
    """Groups below the policy's minimum size with their rate and its Wilson interval, one line each.

    Their checks are 证据不足 and the verdict does not rest on them; the interval shows how little is known
    (0 of 3 selected: 0.000, 95% 0.000–0.561). Empty when every group is large enough or the report predates it.
    """
    metric = result.get("headline_metric") or "selection_rate"
    small = [g for g in result.get("groups", []) if g.get("below_minimum") and not g["unknown"]]
    shown = [g for g in small if "wilson_low" in (g["metrics"].get(metric) or {})]
    if not shown:
        return []
    lines = [
        t(
            "audits.report.small_groups",
            lang,
            count=len(small),
            minimum=result["policy"]["min_group_size"],
            metric=metric_label(metric, lang),
        )
    ]
    order = {"age_band": 0, "district": 1, "county": 2, "city": 3, "province": 4, "intersection": 5}
    for g in sorted(shown, key=lambda g: (order.get(g["dimension"], 9), g["n"]))[:limit]:
        m = g["metrics"][metric]
        lines.append(
            "  "
            + t(
                "audits.report.small_group",
                lang,
                dimension=t(f"audits.dim.{g['dimension']}", lang),
                group=g["group"],
                n=g["n"],
                successes=m["successes"],
                trials=m["trials"],
                value=fmt(m["value"]),
                low=fmt(m["wilson_low"]),
                high=fmt(m["wilson_high"]),
            )
        )
    if len(shown) > limit:
        lines.append("  " + t("audits.report.small_groups_more", lang, count=len(shown) - limit))
    return lines
