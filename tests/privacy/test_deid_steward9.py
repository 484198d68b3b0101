"""A city data steward's own exports, session 9 (``steward``): what session 8 left, and new kinds of export.

Each test writes such a file, runs the real service or CLI on it and searches the written output for
the original secrets — never trusting the tool's own re-scan figure.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.deid import id_mask
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


def test_a_first_generation_id_keeps_no_digit_of_the_birth_date() -> None:
    assert id_mask("330106531221502", keep_start=6, keep_end=4) == "330106******502"
    assert id_mask("330106195312215021", keep_start=6, keep_end=4) == "330106********5021"
    assert id_mask("330106 531221 502", keep_start=6, keep_end=4) == "330106********502"
    assert id_mask("330106531221502", keep_start=8, keep_end=1) == "330106*********"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_15_digit_id_is_masked_without_its_birth_day(people_home: Path, tmp_path: Path, lang: str) -> None:
    """330106531221502 (born 1953-12-21) came out 330106*****5021-like: the kept 4 included the day's last digit."""
    source = tmp_path / "老年人名单.csv"
    source.write_text("序号,姓名,身份证号,备注\n"
                      "1,王秀英,330106531221502,无\n"
                      "2,李建国,330106195312215021,旧证号330106480705113已换领\n"
                      "3,陈桂兰,110105194009221015,无\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    written = pd.read_csv(out, dtype=str)
    assert written["身份证号"].tolist()[:2] == ["330106******502", "330106********5021"]
    assert "330106******113" in written["备注"].iloc[1]
    text = _plain(out)
    for secret in ("531221", "480705", "1221502", "0705113", "19531221"):
        assert secret not in text
