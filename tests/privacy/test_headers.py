"""Names and numbers in the header row: reported by the scan, replaced by de-identification, never written back.

A pivot of visits per caseworker (``月份, 王秀英, 李建国, 欧阳娜娜, 合计``) is a common export. Before, ``sandbox deid``
scanned cells only: it wrote the names back in the header, the report listed them as column names, and the re-scan
said "clean"; ``sandbox pii scan`` found nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.deid import load_policy
from privacy.deid._headers import deidentify_headers
from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD

runner = CliRunner()
AS = ["--as", "steward", "--password", DEMO_PASSWORD]
SECRETS = ["王秀英", "李建国", "欧阳娜娜", "张伟", "13905718822"]


def _pivot(path: Path) -> Path:
    frame = pd.DataFrame(
        {
            "月份": ["1月", "2月", "3月"],
            "王秀英": ["12", "10", "11"],
            "李建国": ["8", "9", "7"],
            "欧阳娜娜": ["5", "7", "6"],
            "合计": ["25", "26", "24"],
            "联系人张伟（13905718822）": ["走访", "电话", "走访"],
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pivot_per_caseworker_comes_out_without_its_names(
    people_home: Path, tmp_path: Path, lang: str
) -> None:
    source = _pivot(tmp_path / "走访统计.csv")
    scan = runner.invoke(app, ["--lang", lang, "pii", "scan", str(source), "--fail-on-pii", *AS])
    assert scan.exit_code == 3, scan.output  # the header row holds personal information
    assert "(表头 header) 2" in scan.output and "王秀英" not in scan.output  # named by position, masked
    out = tmp_path / "out"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    written = (out / "走访统计.deid.csv").read_text(encoding="utf-8-sig")
    report_text = (out / "走访统计.deid.json").read_text(encoding="utf-8")
    assert [s for s in SECRETS if s in written or s in report_text or s in done.output] == []
    header = written.splitlines()[0].split(",")
    assert header[0] == "月份" and header[4] == "合计" and len(set(header)) == 6
    assert all(h.startswith("P") and len(h) == 17 for h in header[1:4]), header  # keyed pseudonyms
    assert "139****8822" in header[5], header
    report = json.loads(report_text)
    assert report["headers"] == {"PERSON": 4, "PHONE_NUMBER": 1}
    assert report["pii_before"]["PERSON"] >= 4 and report["pii_after"] == {}
    again = runner.invoke(
        app, ["--lang", lang, "pii", "scan", str(out / "走访统计.deid.csv"), "--fail-on-pii", *AS]
    )
    assert again.exit_code == 0, again.output


def test_the_same_name_gets_the_same_pseudonym_in_a_header_and_in_a_cell(people_home: Path) -> None:
    policy = load_policy("default")
    names, counts = deidentify_headers(["姓名", "王秀英", "备注"], policy)
    cells, _ = deidentify_headers(["王秀英"], policy)
    assert names[0] == "姓名" and names[2] == "备注" and names[1] == cells[0] != "王秀英"
    assert counts == {"PERSON": 1}


def test_labelled_headers_stay_distinct(people_home: Path) -> None:
    names, counts = deidentify_headers(["月份", "王秀英", "李建国", "<PERSON>"], load_policy("anonymise"))
    assert names == ["月份", "<PERSON>_2", "<PERSON>_3", "<PERSON>"]
    assert counts == {"PERSON": 2}


def test_plain_headers_are_left_alone(people_home: Path) -> None:
    plain = ["序号", "户主姓名", "身份证号码", "联系电话", "家庭住址", "张家港分公司", "备注"]
    assert deidentify_headers(plain, load_policy("default")) == (plain, {})


def test_a_release_package_names_neither_the_people_in_its_headers_nor_in_its_file_name(
    people_home: Path, tmp_path: Path
) -> None:
    """The manifest listed the source's own headers and file name: 王秀英 went out in the published package."""
    import zipfile

    from privacy.release import create_release
    from tests.privacy.release_helpers import STEWARD

    source = _pivot(tmp_path / "王秀英家走访统计.csv")
    made = create_release(actor=STEWARD, source=source, dataset="visits")
    package = Path(made["path"])
    texts = [p.read_text(encoding="utf-8") for p in package.iterdir()]
    with zipfile.ZipFile(package.with_suffix(".zip")) as archive:
        texts += [archive.read(n).decode("utf-8") for n in archive.namelist()] + archive.namelist()
    assert [s for s in SECRETS if any(s in text for text in texts)] == []
    manifest = made["manifest"]["source"]
    assert manifest["file"].endswith("家走访统计.csv") and manifest["file"].startswith("P")
    assert manifest["columns"][0] == "月份" and len(manifest["columns"]) == 6
