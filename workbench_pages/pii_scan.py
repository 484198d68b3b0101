"""个人信息扫描 / PII scan (data steward): upload or pick a demo dataset, scan, review, download."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from privacy._findings import SCAN_SUFFIXES
from sandbox.files import keep_upload
from sandbox.settings import get_settings
from sandbox.ui import guarded, html_text, require, tr, trm, upload_hint

if TYPE_CHECKING:
    from privacy.scanning import ScanReport

actor = require("privacy.scan")
st.title(tr("nav.pii_scan"))
st.caption(tr("pii.page.intro"))

demo_files = sorted(get_settings().demo_dir.glob("*/data.csv"))
source = st.radio(tr("pii.page.source"), ["demo", "upload"], horizontal=True, key="pii_source",
                  format_func=lambda v: tr(f"pii.page.source_{v}"))
path: Path | None = None
name = ""
if source == "demo":
    if not demo_files:
        st.info(tr("pii.page.no_demo"))
    else:
        default = next((i for i, p in enumerate(demo_files) if p.parent.name == "hotline"), 0)
        picked = st.selectbox(tr("pii.page.demo"), demo_files, index=default, key="pii_demo",
                              format_func=lambda p: f"{p.parent.name}/{p.name}",
                              placeholder=tr("pii.page.demo_placeholder"))
        if picked is not None:
            path, name = picked, f"{picked.parent.name}/{picked.name}"
else:
    upload = st.file_uploader(tr("pii.page.upload"), type=[s.lstrip(".") for s in SCAN_SUFFIXES], key="pii_upload")
    upload_hint()
    if upload is not None:
        path = keep_upload(upload.getvalue(), upload.name, folder="pii-uploads")  # a rerun writes nothing new
        name = upload.name

columns_text = st.text_input(tr("pii.page.columns"), key="pii_columns")
unmask = st.checkbox(tr("pii.page.unmask"), key="pii_unmask")

if path is not None and st.button(tr("pii.page.scan"), key="pii_scan", type="primary"):
    bar = st.progress(0.0, text=trm("pii.page.scanning", what=name))
    from privacy.scanning import scan_file  # Presidio + jieba load on the first scan, not with the page

    columns = [c.strip() for c in columns_text.replace("，", ",").split(",") if c.strip()] or None
    report = guarded(lambda: scan_file(
        path, actor=actor, columns=columns, display_name=name,
        progress=lambda share, what: bar.progress(min(1.0, share), text=trm("pii.page.scanning", what=what or name)),
    ))
    bar.empty()
    if report is not None:
        st.session_state["pii_report"] = report
        st.session_state["pii_text_source"] = str(path)

report: ScanReport | None = st.session_state.get("pii_report")
if report is not None:
    if report.has_pii:
        st.warning(trm("pii.page.result", file=report.file, rows=report.rows, count=len(report.findings)))
    else:
        st.success(trm("pii.page.clean", file=report.file, rows=report.rows))
    if report.entity_types:
        cols = st.columns(min(6, len(report.entity_types)))
        for i, (entity, count) in enumerate(report.entity_types.items()):
            cols[i % len(cols)].metric(tr(f"pii.entity.{entity}"), count)
    if report.columns:
        st.subheader(tr("pii.page.summary"))
        st.dataframe(pd.DataFrame([{
            tr("pii.col.column"): c.column, tr("pii.col.kind"): tr(f"pii.kind.{c.kind}"),
            tr("pii.col.entity"): tr(f"pii.entity.{c.entity_type}") if c.entity_type else "",
            tr("pii.col.cells"): c.cells, tr("pii.col.hits"): c.hit_cells,
            tr("pii.col.share"): f"{c.share:.1%}", tr("pii.col.confidence"): round(c.confidence, 2),
        } for c in report.columns]), hide_index=True, use_container_width=True)
    if report.findings:
        st.subheader(tr("pii.page.findings"))
        shown = report.findings[:2000]
        st.dataframe(pd.DataFrame([{
            tr("pii.col.row"): f.row, tr("pii.col.column"): f.column or "", tr("pii.col.span"): f"{f.start}–{f.end}",
            tr("pii.col.entity"): tr(f"pii.entity.{f.entity_type}"), tr("pii.col.value"): f.text if unmask else f.masked,
            tr("pii.col.score"): round(f.score, 2), tr("pii.col.why"): f.explanation,
        } for f in shown]), hide_index=True, use_container_width=True)
        # Highlight a few free texts: the cell with every finding marked (masked unless asked).
        texts: dict[tuple[int | None, str | None], list] = {}
        for f in report.findings:
            key = (f.row, f.column)
            if key in texts or len(texts) < 8:
                texts.setdefault(key, []).append(f)
        st.subheader(tr("pii.page.highlight", count=len(texts)))
        source_path = st.session_state.get("pii_text_source")
        cells: dict[tuple[int | None, str | None], str] = {}
        if source_path and report.kind == "table":
            from sandbox.tabular import read_table

            frame, _ = read_table(source_path, display_name=report.file)
            for row, column in texts:
                if row is not None and column in frame.columns:
                    cells[(row, column)] = str(frame.at[row, column])
        elif source_path:
            from sandbox.tabular import decode_text

            lines = decode_text(Path(source_path).read_bytes(), file=report.file)[0].splitlines()
            cells = {(row, None): lines[row] for row, _ in texts if row is not None and row < len(lines)}
        for key, found in texts.items():
            cell = cells.get(key)
            if cell is None:
                continue
            parts, last = [], 0
            for f in sorted(found, key=lambda f: f.start):
                value = cell[f.start : f.end] if unmask else f.masked
                # html_text, not html.escape: the cell is still Markdown (an image in it would be fetched)
                parts.append(html_text(cell[last : f.start]))
                parts.append(f"<mark title='{html_text(f.entity_type)}'>{html_text(value)}</mark>"
                             f"<sub>{html_text(tr(f'pii.entity.{f.entity_type}'))}</sub>")
                last = f.end
            parts.append(html_text(cell[last:]))
            st.markdown(f"**{key[0]} · {html_text(key[1])}**：" + "".join(parts), unsafe_allow_html=True)
    data = report.to_dict(unmask=unmask)
    st.download_button(tr("pii.page.download"), json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                       file_name=f"pii-report-{Path(report.file).stem}.json", mime="application/json", key="pii_dl")
