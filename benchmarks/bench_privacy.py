"""Privacy release figures: DP histogram over 10M rows, de-identification of 1M rows, k-anonymity over 1M rows."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmarks import Figure

DISTRICTS = [f"街道{i:02d}" for i in range(11)] + ["甲镇", "乙镇"]


def _population(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "街道镇": pd.Categorical.from_codes(rng.integers(0, len(DISTRICTS), n), categories=DISTRICTS),
        "年龄": rng.integers(18, 96, n).astype(np.int16),
        "性别": pd.Categorical.from_codes(rng.integers(0, 2, n), categories=["男", "女"]),
    })


def _people(n: int, seed: int = 1) -> pd.DataFrame:
    from privacy.checksums import id_card_check_char

    rng = np.random.default_rng(seed)
    ages = rng.integers(18, 96, n)
    bodies = [f"330112{1930 + a % 70:04d}0101{i % 1000:03d}" for i, a in enumerate(ages)]
    check = {b: id_card_check_char(b) for b in set(bodies)}
    ids = [b + check[b] for b in bodies]
    idx = rng.integers(0, len(DISTRICTS), n)
    return pd.DataFrame({
        "编号": [f"SA{i:07d}" for i in range(n)],
        "姓名": rng.choice(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"], n),
        "性别": rng.choice(["男", "女"], n),
        "身份证号": ids,
        "出生日期": [f"{2024 - a}-03-15" for a in ages],
        "年龄": ages,
        "联系电话": [f"138{i:08d}" for i in range(n)],
        "住址": [f"浙江省杭州市临安区{DISTRICTS[i]}锦城路{j % 500}号" for j, i in enumerate(idx)],
        "备注": np.where(np.arange(n) % 1000 == 0, "请回电13912345678", "已回访"),
        "街道镇": [DISTRICTS[i] for i in idx],
    })


def run() -> list[Figure]:
    from privacy.deid import deidentify_frame, load_policy
    from privacy.dp import dp_histogram
    from privacy.ledger import BudgetLedger
    from privacy.risk import risk_report
    from sandbox.roles import Actor

    actor = Actor(user_id=0, username="bench", display_name="bench", role="steward")
    figures: list[Figure] = []

    frame = _population(10_000_000)
    from sandbox.store import get_engine

    get_engine()  # migrations are not part of the figure
    ledger = BudgetLedger(actor=actor, dataset="bench-10m", policy={
        "name": "bench", "version": "1", "dp": {"epsilon_total": 100.0}})
    started = time.perf_counter()
    table = dp_histogram(frame, ["街道镇", "年龄"], epsilon=1.0, accountant=ledger,
                         keys={"街道镇": DISTRICTS})
    seconds = time.perf_counter() - started
    figures.append(Figure(area="privacy", name="DP 街道镇×年龄段 histogram, 10,000,000 rows", value=seconds,
                          unit="s", target="a few seconds",
                          note=f"{len(table.table)} cells incl. budget reservation"))
    del frame

    people = _people(1_000_000)
    policy = load_policy("default")
    started = time.perf_counter()
    cpu = time.process_time()
    result = deidentify_frame(people, policy, suppress=True)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    cells = people.size
    figures.append(Figure(area="privacy", name="de-identification by content (default policy), 1,000,000 rows × "
                          f"{people.shape[1]} columns", value=seconds, unit="s", target="structured ≥ 50,000 cells/s",
                          note=f"classify every column by content + operators + re-scan of the output; "
                               f"{cells / seconds:,.0f} cells/s wall, {cells / cpu:,.0f} cells/s CPU; "
                               f"before {sum(result.pii_before.values()):,} findings, after "
                               f"{sum(result.pii_after.values())}"))
    del people, result

    quasi = _population(1_000_000, seed=2)
    quasi["城乡"] = np.where(quasi["街道镇"].astype(str).str.endswith("镇"), "农村", "城镇")
    started = time.perf_counter()
    report = risk_report(quasi, ["街道镇", "年龄", "性别", "城乡"], k=5)
    seconds = time.perf_counter() - started
    figures.append(Figure(area="privacy", name="k-anonymity + risks, 1,000,000 rows × 4 quasi-identifiers",
                          value=seconds, unit="s", target="seconds", note=f"k={report.k}, {report.classes} classes"))
    return figures
