"""A province's 低保/医保 export, as a steward would receive it: written in 1M-row chunks, never whole in memory.

Columns: 序号, 姓名, 身份证号 (valid check digits, real 四川 county codes, births 1931–2007), 手机号, 区县 (120
real counties), 乡镇街道 (24), 年龄, 年龄段, 月保障金额, 医保报销金额, 符合条件 / 模型判定 (a planted disparity for
75+ in 镇), 备注 (mostly fixed phrases; 1 % name a 经办人, 0.2 % a phone, 1.8 % dates and amounts). Written as
UTF-8 CSV, GBK CSV (the same rows) and Parquet.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CHUNK = 1_000_000
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK = np.array(list("10X98765432"))
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                 "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志玉淑珍凤德文红梅海燕春金永小翠秋菊花")
_TOWN = list("新安永兴太平龙泉金山石桥白马青龙双河高峰红星清水长乐")
_BANDS = np.array(["18-29", "30-44", "45-59", "60-69", "70-79", "80+"], dtype=object)
_REMARKS = np.array(["", "", "", "材料齐全", "已入户核查", "家庭收入无变化", "待复核", "新增对象", "动态调整", "重病重残",
                     "因病致贫", "已公示无异议", "分散供养"], dtype=object)


def _counties() -> tuple[np.ndarray, np.ndarray]:
    from sandbox.regions import region_table

    table = region_table()
    codes = sorted(c for c, n in table.items() if c.startswith("51") and not c.endswith("00") and not n.endswith("市辖区"))
    codes = codes[:120]
    return np.array(codes), np.array([table[c] for c in codes], dtype=object)


def chunk(n: int, seed: int):  # type: ignore[no-untyped-def]
    """``n`` rows (the ``seed``-th chunk) as a pandas frame."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    codes, names = _counties()
    county = rng.integers(0, len(codes), n)
    birth = np.datetime64("1931-01-01") + rng.integers(0, 365 * 77, n).astype("timedelta64[D]")
    ymd = np.char.replace(np.datetime_as_string(birth, unit="D").astype("U10"), "-", "")
    body = np.char.add(np.char.add(codes[county], ymd), np.char.zfill(rng.integers(0, 1000, n).astype("U3"), 3))
    digits = body.view("U1").reshape(n, 17).astype(np.int64)
    ids = np.char.add(body, _CHECK[(digits * _WEIGHTS).sum(1) % 11])
    surname = 1 / np.arange(1, len(_SURNAMES) + 1) ** 0.9
    surnames = np.array(_SURNAMES, dtype=object)
    given = np.array(_GIVEN, dtype=object)
    first = given[rng.integers(0, len(given), n)]
    second = given[rng.integers(0, len(given), n)]
    person = surnames[rng.choice(len(surnames), n, p=surname / surname.sum())] + np.where(
        rng.random(n) < 0.7, first + second, first)
    phones = np.char.add(np.array(["13", "15", "18", "17", "19"])[rng.integers(0, 5, n)],
                         np.char.zfill(rng.integers(0, 10**9, n).astype("U9"), 9))
    age = (2026 - birth.astype("datetime64[Y]").astype(int) - 1970).astype(np.int16)
    remark = _REMARKS[rng.integers(0, len(_REMARKS), n)].copy()
    draw = rng.random(n)
    officer = surnames[rng.integers(0, len(surnames), n)] + given[rng.integers(0, len(given), n)]
    pick = draw < 0.01
    remark[pick] = "经办人" + officer[pick] + "入户核查，家庭成员" + rng.integers(1, 6, n)[pick].astype(str) + "人"
    pick = (draw >= 0.01) & (draw < 0.012)
    remark[pick] = "联系电话" + phones[pick].astype(object) + "，本人不在家"
    pick = (draw >= 0.012) & (draw < 0.03)
    remark[pick] = ("2026年" + rng.integers(1, 13, n)[pick].astype(str) + "月复核，人均收入"
                    + rng.integers(300, 900, n)[pick].astype(str) + "元")
    towns = np.array([f"{a}{b}{'镇' if i % 4 else '街道'}" for i, (a, b) in
                      enumerate(zip(_TOWN, _TOWN[3:] + _TOWN[:3], strict=True))] * 2, dtype=object)[:24]
    town = towns[rng.integers(0, len(towns), n)]
    label = (rng.random(n) < 0.4).astype(np.int8)
    rural = np.char.endswith(town.astype(str), "镇")
    chance = np.where(label == 1, np.where((age >= 75) & rural, 0.55, 0.85), 0.1)
    return pd.DataFrame({
        "序号": np.arange(seed * CHUNK + 1, seed * CHUNK + n + 1), "姓名": person, "身份证号": ids, "手机号": phones,
        "区县": names[county], "乡镇街道": town, "年龄": age,
        "年龄段": _BANDS[np.searchsorted([30, 45, 60, 70, 80], age, side="right")],
        "月保障金额": np.round(rng.uniform(200, 900, n), 2), "医保报销金额": np.round(rng.gamma(2, 800, n), 2),
        "符合条件": label, "模型判定": (rng.random(n) < chance).astype(np.int8), "备注": remark})


def write(rows: int, folder: Path) -> dict[str, Path]:
    """``rows`` rows as ``province-<rows>.utf8.csv``, ``.gbk.csv`` and ``.parquet`` in ``folder`` (reused if there)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"province-{rows}.{kind}" for kind in ("utf8.csv", "gbk.csv", "parquet")}
    if all(p.exists() for p in paths.values()):
        return paths
    writer = None
    with paths["utf8.csv"].open("wb") as utf8, paths["gbk.csv"].open("wb") as gbk:
        for i, start in enumerate(range(0, rows, CHUNK)):
            frame = chunk(min(CHUNK, rows - start), i)
            table = pa.Table.from_pandas(frame, preserve_index=False)
            writer = writer or pq.ParquetWriter(paths["parquet"], table.schema)
            writer.write_table(table)
            text = frame.to_csv(index=False, header=(i == 0), lineterminator="\n")
            utf8.write(text.encode("utf-8"))
            gbk.write(text.encode("gbk"))
    if writer is not None:
        writer.close()
    return paths
