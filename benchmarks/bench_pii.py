"""PII detection: quality on a labelled corpus, table and free-text throughput (DESIGN §6).

* precision / recall / F1 per entity on :mod:`benchmarks.pii_corpus` (exact spans);
* structured table scan of a 1,000,000-cell table (target ≥ 50,000 cells/s);
* free text with names and addresses on (target ≥ 3,000 sentences/s), side by
  side with plain Presidio (``AnalyzerEngine.analyze`` per text, spaCy blank zh +
  jieba, the same recognizers) on the same sentences, printed as a ratio.

Speeds are per CPU second of this process (``time.process_time``), so a busy
shared machine does not distort them; the wall-clock rate is in the note.
"""

from __future__ import annotations

import random
import time
from collections import Counter

import numpy as np
import pandas as pd

from benchmarks import Figure
from benchmarks.pii_corpus import build_corpus, id_number

AREA = "pii"


def _quality() -> list[Figure]:
    from privacy.scanning import scan_texts

    corpus = build_corpus(1200)
    found = scan_texts([doc.text for doc in corpus])
    predicted = {(f.row, f.start, f.end, f.entity_type) for f in found}
    gold = {(i, s, e, entity) for i, doc in enumerate(corpus) for s, e, entity in doc.spans}
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for item in predicted:
        (tp if item in gold else fp)[item[3]] += 1
    for item in gold - predicted:
        fn[item[3]] += 1
    figures = []
    for entity in sorted(set(tp) | set(fp) | set(fn)):
        precision = tp[entity] / max(1, tp[entity] + fp[entity])
        recall = tp[entity] / max(1, tp[entity] + fn[entity])
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        target = "≥ 0.90 F1" if entity in ("PERSON", "ADDRESS") else "≥ 0.99 P and R"
        figures.append(Figure(area=AREA, name=f"F1 {entity}", value=f1, unit="F1", target=target,
                              note=f"P={precision:.3f} R={recall:.3f} (n={tp[entity] + fn[entity]})"))
    return figures


def _table(rows: int = 100_000) -> pd.DataFrame:
    """10 columns × ``rows``: identifiers, names, addresses, codes, amounts, short notes."""
    from faker import Faker

    from sandbox.regions import region_table

    rng = random.Random(7)
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    codes = [c for c in region_table() if not c.endswith("00")]
    names = [fake.name() for _ in range(20_000)]
    roads = [fake.street_name() for _ in range(300)]
    gen = np.random.default_rng(7)
    notes = np.array(["无", "已核实", "低保边缘户", "独居老人，需定期走访", "申请材料齐全", "子女在外务工"])
    return pd.DataFrame({
        "编号": [f"SA{i:07d}" for i in range(rows)],
        "姓名": [names[i] for i in gen.integers(0, len(names), rows)],
        "性别": gen.choice(["男", "女"], rows),
        "身份证号": [id_number(rng, codes) for _ in range(rows)],
        "年龄": gen.integers(18, 96, rows).astype(str),
        "联系电话": [f"1{gen_prefix}{n:08d}" for gen_prefix, n in
                  zip(gen.choice(["38", "39", "58", "86", "89", "77"], rows), gen.integers(0, 10**8, rows), strict=True)],
        "住址": [f"杭州市临安区{roads[r]}{n}号{b}幢{u}单元{f}0{d}室" for r, n, b, u, f, d in
               zip(gen.integers(0, len(roads), rows), gen.integers(1, 400, rows), gen.integers(1, 30, rows),
                   gen.integers(1, 5, rows), gen.integers(1, 19, rows), gen.integers(1, 5, rows), strict=True)],
        "街道镇": gen.choice(["锦城街道", "锦北街道", "玲珑街道", "於潜镇", "昌化镇", "天目山镇"], rows),
        "救助金额": (gen.integers(100, 3000, rows) + 0.5).astype(str),
        "备注": gen.choice(notes, rows),
    })


def _table_speed() -> list[Figure]:
    from privacy.scanning import scan_table

    frame = _table()
    cells = frame.size
    scan_table(frame.head(2000))  # warm-up: recognizers and tables built once per process
    wall, cpu = time.perf_counter(), time.process_time()
    result = scan_table(frame)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    found = ",".join(result.pii_columns())
    return [Figure(area=AREA, name=f"table scan ({cells:,} cells)", value=cells / cpu, unit="cells/s",
                   target="≥ 50,000", note=f"per CPU second; wall {wall:.1f} s ({cells / wall:,.0f}/s); PII: {found}")]


def _text_speed() -> list[Figure]:
    from privacy.nlp import get_analyzer
    from privacy.scanning import scan_texts

    sentences = [s + "。" for doc in build_corpus(6000, seed=11) for s in doc.text.split("。") if s.strip()]
    scan_texts(sentences[:100])
    wall, cpu = time.perf_counter(), time.process_time()
    scan_texts(sentences)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ours = len(sentences) / cpu
    analyzer = get_analyzer()
    sample = sentences[:1500]
    analyzer.analyze(sample[0], language="zh")
    plain_cpu = time.process_time()
    for sentence in sample:
        analyzer.analyze(sentence, language="zh")
    plain = len(sample) / (time.process_time() - plain_cpu)
    return [
        Figure(area=AREA, name="free text, names+addresses on", value=ours, unit="sentences/s", target="≥ 3,000",
               note=f"{len(sentences):,} sentences, per CPU second; wall {len(sentences) / wall:,.0f}/s"),
        Figure(area=AREA, name="plain Presidio + jieba (same texts)", value=plain, unit="sentences/s",
               note=f"AnalyzerEngine.analyze per text, {len(sample):,} sentences, per CPU second"),
        Figure(area=AREA, name="speed-up over plain Presidio", value=ours / plain, unit="×"),
    ]


def run() -> list[Figure]:
    return [*_quality(), *_table_speed(), *_text_speed()]
