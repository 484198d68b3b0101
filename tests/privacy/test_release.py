"""Release packages: label, manifest, re-scan refusal, atomicity; evidence for the review."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from privacy.evidence import privacy_evidence
from privacy.ledger import budget_status
from sandbox.errors import RuleViolation
from sandbox.files import sha256_file
from tests.privacy.release_helpers import STEWARD, people

pytest.importorskip("privacy.scanning", reason="the PII scanner (privacy.scanning) has not landed yet")

from privacy.release import create_release, list_releases


@pytest.fixture
def source(home: Path, tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    people(400).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _releases_dir(home: Path) -> Path:
    return home / "work" / "releases"


def test_default_release_is_deidentified_with_manifest(home: Path, source: Path) -> None:
    made = create_release(actor=STEWARD, source=source, dataset="ds", histogram_by=["街道镇", "年龄"],
                          epsilon=1.0, keys_from_data=True, trial_id=7, random_state=np.random.RandomState(0))
    assert made["label"] == "去标识化" and made["epsilon"] == 1.0
    assert any("pseudonymised" in r for r in made["anonymisation_reasons"])
    folder = Path(made["path"])
    assert {p.name for p in folder.iterdir()} == {"data.csv", "histogram.csv", "manifest.json", "README.md"}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["sha256"] == sha256_file(source)
    assert manifest["policy"]["ref"] == "default@2.0" and manifest["label"] == "去标识化"
    assert manifest["risk"]["k"] == made["k"] >= 5
    assert manifest["dp"]["mechanism"].startswith("geometric") and manifest["epsilon_spent"] == 1.0
    assert manifest["files"]["data.csv"] == sha256_file(folder / "data.csv")
    assert manifest["approver"] == "steward" and manifest["operators"]
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "去标识化" in readme and "de-identified" in readme and "匿名化数据" not in readme
    assert made["manifest_sha256"] == sha256_file(folder / "manifest.json")
    with zipfile.ZipFile(made["zip"]) as archive:
        assert f"{folder.name}/manifest.json" in archive.namelist()
    assert budget_status(actor=STEWARD, dataset="ds")["epsilon_spent"] == pytest.approx(1.0)
    evidence = privacy_evidence(trial_id=7)
    assert evidence["releases"][0]["label"] == "去标识化"
    assert evidence["releases"][0]["manifest_sha256"] == made["manifest_sha256"]
    assert evidence["budget"]["ds"]["epsilon_remaining"] == pytest.approx(2.0)
    assert evidence["scans"][0]["entity_types"]
    assert list_releases(actor=STEWARD)[0]["id"] == made["id"]


def test_anonymise_policy_can_earn_the_anonymised_label(home: Path, source: Path) -> None:
    made = create_release(actor=STEWARD, source=source, dataset="ds2", policy="anonymise")
    assert made["label"] == "匿名化", made["anonymisation_reasons"]
    assert made["k"] >= 10


def test_release_refused_without_rules_or_while_rescan_finds_pii(home: Path, source: Path, tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.yaml"  # no entity rules at all: every column with PII is refused up front
    leaky.write_text("name: leaky\nversion: '0.1'\ncolumns: {}\nquasi_identifiers: [性别]\n", encoding="utf-8")
    with pytest.raises(RuleViolation) as err:
        create_release(actor=STEWARD, source=source, dataset="ds3", policy=leaky, histogram_by=["性别"], epsilon=1.0)
    assert err.value.key == "privacy.err.no_rule"
    assert {"姓名", "身份证号", "联系电话", "住址"} <= set(err.value.params["column"].split(", "))
    # rules for every type, but an operator whose output is still personal information: the re-scan refuses
    sloppy = tmp_path / "sloppy.yaml"
    sloppy.write_text("name: sloppy\nversion: '0.1'\nentities: {default: {op: label}}\n"
                      "columns: {编号: {op: pseudonym, prefix: '电话13812345678-'}}\n", encoding="utf-8")
    with pytest.raises(RuleViolation) as err:
        create_release(actor=STEWARD, source=source, dataset="ds3", policy=sloppy, histogram_by=["性别"], epsilon=1.0)
    assert err.value.key == "privacy.err.pii_remains"
    assert "编号: PHONE_NUMBER×400" in err.value.params["columns"]
    assert "未生成发布包" in err.value.render("zh") and "no release package" in err.value.render("en")
    assert not _releases_dir(home).exists() or not any(_releases_dir(home).iterdir())
    assert budget_status(actor=STEWARD, dataset="ds3", missing_ok=True)["exists"] is False  # no ε spent
    assert privacy_evidence(dataset="ds3") == {}


def test_manifest_counts_personal_information_before_and_after(home: Path, source: Path) -> None:
    made = create_release(actor=STEWARD, source=source, dataset="ds5")
    scan = made["manifest"]["scan"]
    assert scan["source"]["rows_scanned"] == 400 and scan["release"]["has_pii"] is False
    assert scan["source"]["entity_types"]["PHONE_NUMBER"] == 400  # every row, not a sample
    assert scan["release"]["entity_types"] == {}
    by_column = {c["column"]: c for c in scan["columns"]}
    assert by_column["身份证号"]["kind"] == "identifier" and by_column["身份证号"]["rule"] == "entity"
    assert by_column["身份证号"]["before"] == {"CN_RESIDENT_ID": 400} and by_column["身份证号"]["after"] == {}
    assert by_column["编号"]["rule"] == "column" and by_column["性别"]["before"] == {}
    readme = (Path(made["path"]) / "README.md").read_text(encoding="utf-8")
    assert "PHONE_NUMBER×400" in readme


def test_refusal_midway_leaves_no_half_release(home: Path, source: Path) -> None:
    from privacy.ledger import reserve

    reserve(actor=STEWARD, dataset="ds4", epsilon=2.9, query="histogram")  # 0.1 of 3.0 left
    with pytest.raises(RuleViolation) as err:  # data.csv is already written when the ledger refuses
        create_release(actor=STEWARD, source=source, dataset="ds4", histogram_by=["性别"], epsilon=1.0)
    assert err.value.key == "privacy.err.budget_exceeded"
    assert not any(p for p in _releases_dir(home).iterdir())  # neither folder, partial folder nor zip
    assert list_releases(actor=STEWARD, dataset="ds4") == []
