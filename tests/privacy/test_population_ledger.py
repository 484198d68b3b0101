"""Never spend a privacy budget twice: the same people in a changed file under a new name are the same budget.

Before (session 9) the ledger knew a dataset by its name and its source file's sha256: a re-export with one column
added, the rows reordered and a few rows changed, under a new file and dataset name, opened a fresh ε. Now the
people are fingerprinted (keyed hashes of identifying columns, a sketch kept with the spend) and such a release is
refused before any noise, unless the steward declares a different population with a reason (recorded).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.ledger import budget_status
from privacy.release import release_histogram
from sandbox.errors import NotFoundError, RuleViolation
from tests.privacy.release_helpers import STEWARD, SpyRandomState

KEYS = {"街道镇": ["青山湖街道", "锦北街道", "太湖源镇"]}


def _population(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(["330112", "330185", "330106"], n)
    born = rng.integers(19300101, 20001231, n)
    return pd.DataFrame(
        {
            "编号": [f"DB{i:06d}" for i in range(n)],
            "身份证号": [
                f"{r}{b}{seed % 10}{i:03d}"[:18] for i, (r, b) in enumerate(zip(region, born, strict=True))
            ],
            "户主姓名": [
                f"{s}{g}{i}"
                for i, (s, g) in enumerate(
                    zip(rng.choice(list("张王李赵刘陈"), n), rng.choice(list("伟芳娜洋敏静"), n), strict=True)
                )
            ],
            "街道镇": rng.choice(KEYS["街道镇"], n),
            "补助金额": rng.integers(300, 1200, n),
        }
    )


def _release(source: Path, dataset: str, *, spy=None, reason: str | None = None):  # type: ignore[no-untyped-def]
    return release_histogram(
        actor=STEWARD,
        source=source,
        by=["街道镇"],
        epsilon=0.5,
        dataset=dataset,
        keys=KEYS,
        random_state=spy or 1,
        population_reason=reason,
    )


def _changed_export(first: pd.DataFrame, path: Path) -> Path:
    """The same people re-exported: a column added, rows reordered, five rows changed."""
    again = first.sample(frac=1.0, random_state=7).reset_index(drop=True)
    again["联系电话"] = [f"138{i:08d}" for i in range(len(again))]
    again.loc[:4, "身份证号"] = [f"33011219800101{i:04d}" for i in range(5)]
    again.to_csv(path, index=False)
    return path


def test_the_same_people_under_a_new_name_are_refused_before_any_noise(home: Path, tmp_path: Path) -> None:
    first = _population(600, seed=1)
    first.to_csv(tmp_path / "低保2026.csv", index=False)
    _release(tmp_path / "低保2026.csv", "低保2026")
    changed = _changed_export(first, tmp_path / "低保2026-修订版.csv")
    spy = SpyRandomState()
    with pytest.raises(RuleViolation) as err:
        _release(changed, "低保2026修订", spy=spy)
    assert err.value.key == "privacy.err.population_charged_elsewhere" and spy.draws == 0
    assert err.value.params["other"] == "低保2026" and err.value.params["column"] in {"身份证号", "户主姓名"}
    zh, en = err.value.render("zh"), err.value.render("en")
    assert "低保2026" in zh and "--dataset 低保2026" in zh and "未添加任何噪声" in zh
    assert "no noise was drawn" in en and "--new-population" in en
    with pytest.raises(NotFoundError):
        budget_status(actor=STEWARD, dataset="低保2026修订")  # nothing recorded under the new name
    # linked: charged to the budget it belongs to
    _release(changed, "低保2026")
    assert budget_status(actor=STEWARD, dataset="低保2026")["epsilon_spent"] == pytest.approx(1.0)


def test_a_declared_different_population_is_recorded_and_other_people_pass(
    home: Path, tmp_path: Path
) -> None:
    first = _population(600, seed=1)
    first.to_csv(tmp_path / "a.csv", index=False)
    _release(tmp_path / "a.csv", "低保2026")
    _population(600, seed=2).to_csv(tmp_path / "other.csv", index=False)
    _release(tmp_path / "other.csv", "特困2026")  # other people: a budget of their own
    changed = _changed_export(first, tmp_path / "b.csv")
    _release(changed, "低保2026-复核", reason="复核名单：与原名单相同人员，经委员会同意另立预算")
    spend = budget_status(actor=STEWARD, dataset="低保2026-复核")["spends"][0]
    declared = spend["details"]["population_declared"]
    assert (
        declared["other"] == "低保2026"
        and declared["reason"].startswith("复核名单")
        and declared["share"] > 0.9
    )
    # the ledger keeps keyed hashes only: no identifier, name or phone number of the file
    stored = json.dumps(budget_status(actor=STEWARD, dataset="低保2026")["spends"], ensure_ascii=False)
    assert "population" in stored and "sketch" not in stored  # shown by its columns, not its hashes
    for value in (*first["身份证号"].head(50), *first["户主姓名"].head(50), "13800000001"):
        assert value not in stored


def test_the_cli_says_which_budget_and_how_to_link(home: Path, tmp_path: Path) -> None:
    from sandbox.cli import app
    from sandbox.demo.people import DEMO_PASSWORD, seed_people

    seed_people()
    first = _population(400, seed=3)
    first.to_csv(tmp_path / "a.csv", index=False)
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(KEYS, ensure_ascii=False), encoding="utf-8")
    base = [
        "release",
        "histogram",
        "--by",
        "街道镇",
        "--epsilon",
        "0.5",
        "--keys",
        str(keys),
        "--as",
        "steward",
        "--password",
        DEMO_PASSWORD,
    ]
    done = CliRunner().invoke(app, [*base[:2], str(tmp_path / "a.csv"), *base[2:], "--dataset", "低保"])
    assert done.exit_code == 0, done.stderr
    changed = _changed_export(first, tmp_path / "b.csv")
    refused = CliRunner().invoke(
        app, ["--lang", "en", *base[:2], str(changed), *base[2:], "--dataset", "低保B"]
    )
    assert refused.exit_code != 0
    assert "低保" in refused.stderr and "--new-population" in refused.stderr
    declared = CliRunner().invoke(
        app, [*base[:2], str(changed), *base[2:], "--dataset", "低保B", "--new-population", "另一批复核对象"]
    )
    assert declared.exit_code == 0, declared.stderr


def test_a_table_without_identifiers_is_known_by_its_distinct_rows(home: Path, tmp_path: Path) -> None:
    from tests.audits.conftest import synthetic

    table = synthetic(
        n=600, seed=5
    )  # a counter 编号 (skipped), ages, districts, scores: no identifying column
    keys = {"街道镇": sorted(table["街道镇"].unique())}
    table.to_csv(tmp_path / "audit.csv", index=False)
    args = {"actor": STEWARD, "by": ["街道镇"], "epsilon": 0.5, "keys": keys, "random_state": 1}
    release_histogram(**args, source=tmp_path / "audit.csv", dataset="审计样本")
    table.sample(frac=1.0, random_state=2).to_parquet(
        tmp_path / "audit.parquet", index=False
    )  # another format
    with pytest.raises(RuleViolation) as err:
        release_histogram(**args, source=tmp_path / "audit.parquet", dataset="审计样本-副本")
    assert (
        err.value.key == "privacy.err.population_charged_elsewhere" and err.value.params["column"] == "*rows*"
    )
    # rows from small domains only (district × band) identify nobody: no fingerprint, no refusal
    small = table[["街道镇", "符合救助"]]
    small.to_csv(tmp_path / "small-a.csv", index=False)
    small.iloc[::-1].to_csv(tmp_path / "small-b.csv", index=False)
    release_histogram(**args, source=tmp_path / "small-a.csv", dataset="小表A")
    release_histogram(**args, source=tmp_path / "small-b.csv", dataset="小表B")
