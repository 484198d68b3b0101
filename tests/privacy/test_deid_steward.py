"""A city data steward's own exports (session 8, ``steward``): files made the way 街道/民政/人社 offices send them.

Each test writes such a file, runs the real service or CLI on it and searches
the written output for the original secrets — never trusting the tool's own
re-scan figure.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.deid import generalize_date, load_policy
from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD

runner = CliRunner()
AS = ["--as", "steward", "--password", DEMO_PASSWORD]


@pytest.fixture
def people_home(home: Path) -> Path:
    from sandbox.demo.people import seed_people

    seed_people()
    return home


def _plain(path: Path) -> str:
    """The written file as text, NFKC and without spaces (so ``1953 03 12`` still counts)."""
    return "".join(unicodedata.normalize("NFKC", path.read_text(encoding="utf-8-sig")).split())


# 人社's 待遇领取资格认证名单: the birth-date and age columns are not called 出生日期 / 年龄.
BIRTH_CSV = """序号,姓名,性别,出生年月,年龄（岁）,户籍地址,联系电话
1,王秀英,女,1953.03.12,73,浙江省杭州市西湖区文三路259号3幢2单元501室,13957112846
2,李建国,男,1948年7月5日,78,浙江省杭州市西湖区古荡新村12幢301室,13805718823
3,陈桂兰,女,1940-09-22,86,杭州市上城区清泰街120号,13645719921
4,赵淑珍,女,57.2.28,69,杭州市余杭区仓前街道葛巷村6组9号,18958023377
"""
BIRTHS = ("1953.03.12", "1948年7月5日", "1940-09-22", "57.2.28", "19530312", "1948-07", "1940-09")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("policy", ["default", "anonymise"])
def test_birth_dates_under_another_header_are_generalised(people_home: Path, tmp_path: Path, lang: str,
                                                         policy: str) -> None:
    """出生年月 / 年龄（岁） headers: full dates of birth and exact ages passed through both policies."""
    source = tmp_path / "认证名单.csv"
    source.write_text(BIRTH_CSV, encoding="gbk")
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--policy", policy, "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    text = _plain(out)
    assert [b for b in BIRTHS if b in text] == []
    written = pd.read_csv(out, dtype=str)
    if policy == "default":
        assert written["出生年月"].tolist() == ["1953", "1948", "1940", "1957"]
        assert written["年龄（岁）"].tolist() == ["70-79", "70-79", "80+", "60-69"]
        assert ("按列名（策略 columns）" if lang == "zh" else "by header (policy columns)") in done.stderr
    else:  # anonymise drops dates of birth and addresses whatever the office called them
        assert "出生年月" not in written.columns and "户籍地址" not in written.columns
        assert "文三路" not in text and "葛巷村" not in text
    assert ("不是匿名化数据" if lang == "zh" else "not anonymised") in done.stderr


def test_dates_as_clerks_type_them() -> None:
    values = pd.Series(["1953.03.12", "48年7月", "1940年9月22日", "57.2.28", "19361130", "53年3月", "1938.04",
                        "1953-03-12 00:00:00", "1953 年 3 月 12 日", "19530230", "73", "无", None])
    years = generalize_date(values, "year", today=date(2026, 12, 7)).tolist()
    assert years == ["1953", "1948", "1940", "1957", "1936", "1953", "1938", "1953", "1953", "未知", "未知",
                     "未知", "未知"]
    assert generalize_date(pd.Series(["08.5.1", "53年3月", "1953"]), "month", today=date(2026, 12, 7)).tolist() \
        == ["2008-05", "1953-03", "未知"]


def test_policy_columns_match_the_same_header_written_differently() -> None:
    default, anonymise = load_policy("default"), load_policy("anonymise")
    assert default.column_operator("出生年月").op == "generalize_date"  # type: ignore[union-attr]
    assert default.column_operator("年龄（岁）").op == "generalize_age"  # type: ignore[union-attr]
    assert default.column_operator("年 龄").op == "generalize_age"  # type: ignore[union-attr]
    assert anonymise.column_operator("户主姓名").op == "drop"  # type: ignore[union-attr]
    assert anonymise.column_operator("公民身份号码").op == "drop"  # type: ignore[union-attr]
    assert default.column_operator("年龄段") is None and default.column_operator("认证日期") is None
