"""Demo scenario datasets: the contract in DEVELOPING.md, checked on the shared demo world."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from privacy.checksums import id_card_birth_date, is_valid_id_card_checksum, is_valid_uscc
from sandbox.demo.people import DEMO_VENDORS
from sandbox.demo.scenarios import SCENARIOS, load_scenario
from sandbox.regions import lookup_region, parent_codes

KEYS = list(SCENARIOS)
COMMON = ["编号", "姓名", "性别", "身份证号", "出生日期", "年龄", "联系电话", "住址", "街道镇", "街道镇代码", "城乡", "区县"]
LABELS = {"social_assistance": "符合救助", "pension": "核验通过", "hotline": "承办部门", "risk_warning": "发生风险事件"}


@pytest.fixture(scope="module")
def frames(demo_home_path: Path) -> dict[str, tuple[dict, pd.DataFrame, pd.DataFrame]]:
    """Scenario meta, data and predictions of the shared demo world (read once)."""
    out = {}
    for key in KEYS:
        meta = load_scenario(key, demo_home_path / "demo")
        data = pd.read_csv(meta["data"], dtype=str, keep_default_na=False)
        predictions = pd.read_csv(meta["predictions"], dtype=str, keep_default_na=False)
        out[key] = (meta, data, predictions)
    return out


def test_scenario_keys_in_order() -> None:
    assert KEYS == ["social_assistance", "pension", "hotline", "risk_warning"]


@pytest.mark.parametrize("key", KEYS)
def test_folder_has_every_contract_file(demo_home_path: Path, key: str) -> None:
    folder = demo_home_path / "demo" / key
    for name in ("data.csv", "predictions.csv", "card.yaml", "scenario.json", "model/MLmodel"):
        assert (folder / name).is_file(), name
    assert (folder / "data.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (folder / "predictions.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    requirements = (folder / "model" / "requirements.txt").read_text(encoding="utf-8")
    assert "scikit-learn==1.7.2" in requirements


@pytest.mark.parametrize("key", KEYS)
def test_columns_and_scenario_json(frames: dict, key: str) -> None:
    meta, data, predictions = frames[key]
    assert list(data.columns[: len(COMMON)]) == COMMON
    assert data.columns[-1] == LABELS[key] == meta["label"]
    for field in ("key", "name_zh", "name_en", "label", "prediction", "score", "id", "age", "district",
                  "features", "vendor", "service_domain", "positive_label"):
        assert field in meta, field
    for column in [meta["id"], meta["age"], meta["district"], meta["label"], *meta["features"]]:
        assert column in data.columns, column
    assert meta["prediction"] in predictions.columns
    if meta["score"] is not None:
        assert meta["score"] in predictions.columns
    assert meta["label"] not in meta["features"]
    assert data["编号"].is_unique
    rows = {"hotline": 10_000}.get(key, 20_000)
    assert len(data) == rows == meta["rows"]


@pytest.mark.parametrize("key", KEYS)
def test_predictions_join_data_on_id(frames: dict, key: str) -> None:
    meta, data, predictions = frames[key]
    assert list(predictions.columns) == ["编号", "预测", "评分"]
    assert predictions["编号"].is_unique
    assert set(predictions["编号"]) == set(data["编号"])
    joined = data.merge(predictions, on="编号", how="inner", validate="one_to_one")
    assert len(joined) == len(data)
    score = predictions["评分"].astype(float)
    assert score.between(0, 1).all()
    if meta["kind"] == "binary":
        assert set(predictions["预测"]) <= {"0", "1"}
        assert set(data[meta["label"]]) == {"0", "1"}
        expected = (score >= meta["threshold"]).astype(int).astype(str)
        assert (predictions["预测"] == expected).all()
    else:
        assert set(predictions["预测"]) <= set(meta["classes"])
        assert set(data[meta["label"]]) <= set(meta["classes"])


@pytest.mark.parametrize("key", KEYS)
def test_id_cards_valid_and_consistent(frames: dict, key: str) -> None:
    meta, data, _ = frames[key]
    as_of = date.fromisoformat(meta["as_of"])
    county = lookup_region(meta["county_code"])
    assert county is not None and county.name == data["区县"].iloc[0]
    for id_card, birth, age, sex in zip(data["身份证号"], data["出生日期"], data["年龄"], data["性别"], strict=True):
        assert len(id_card) == 18 and is_valid_id_card_checksum(id_card), id_card
        assert id_card_birth_date(id_card) == date.fromisoformat(birth), id_card
        assert id_card[:6] == meta["county_code"]
        born = date.fromisoformat(birth)
        years = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
        assert years == int(age), (id_card, age)
        assert (int(id_card[16]) % 2 == 1) == (sex == "男")
    assert data["身份证号"].is_unique


@pytest.mark.parametrize("key", KEYS)
def test_districts_and_codes(frames: dict, key: str) -> None:
    meta, data, _ = frames[key]
    pairs = data[["街道镇", "街道镇代码"]].drop_duplicates()
    assert len(pairs) == 13 and pairs["街道镇"].is_unique and pairs["街道镇代码"].is_unique
    assert {d["name"]: d["code"] for d in meta["districts"]} == dict(zip(pairs["街道镇"], pairs["街道镇代码"], strict=True))
    for name, code in zip(pairs["街道镇"], pairs["街道镇代码"], strict=True):
        assert len(code) == 9 and code.isdigit()
        assert parent_codes(code)[0] == meta["county_code"]
        assert name.endswith(("街道", "镇"))
        assert code[6] == ("0" if name.endswith("街道") else "1")
    kinds = Counter("镇" if n.endswith("镇") else "街道" for n in pairs["街道镇"])
    assert kinds["街道"] >= 4 and kinds["镇"] >= 6
    assert set(data["城乡"]) == {"城镇", "农村"}
    assert (data.loc[data["街道镇"].str.endswith("街道"), "城乡"] == "城镇").all()
    assert (data["住址"].str.contains(data["区县"].iloc[0])).all()
    # Some age band × district intersections are tiny (the audit must say "insufficient").
    young = data[data["年龄"].astype(int) < 30]
    assert young.groupby("街道镇").size().reindex(pairs["街道镇"], fill_value=0).min() < 30


@pytest.mark.parametrize("key", KEYS)
def test_ages_and_elderly_share(frames: dict, key: str) -> None:
    _, data, _ = frames[key]
    age = data["年龄"].astype(int)
    assert age.min() >= 18 and age.max() <= 95
    assert age.min() <= 20 and age.max() >= 93
    flat_60 = (95 - 60 + 1) / (95 - 18 + 1)
    assert (age >= 60).mean() > flat_60
    assert (age >= 80).mean() > 0.12
    # ... yet 80+ is not the largest default age band (an audit's reference group).
    bands = pd.cut(age, [17, 29, 44, 59, 69, 79, 200], labels=["18", "30", "45", "60", "70", "80"])
    assert bands.value_counts().idxmax() in {"45", "60"}
    town = data["街道镇"].str.endswith("镇")
    assert age[town].mean() > age[~town].mean()
    assert set(data["性别"]) == {"男", "女"}
    assert data["联系电话"].str.fullmatch(r"1\d{10}").all() and data["联系电话"].is_unique


def _groups(data: pd.DataFrame) -> pd.Series:
    old = data["年龄"].astype(int) >= 75
    town = data["街道镇"].str.endswith("镇")
    names = pd.Series("young_urban", index=data.index)
    names[old & town] = "old_rural"
    names[old & ~town] = "old_urban"
    names[~old & town] = "young_rural"
    return names


def _hand_rates(groups: list[str], values: list[int]) -> dict[str, float]:
    hits: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for group, value in zip(groups, values, strict=True):
        sizes[group] += 1
        hits[group] += value
    return {g: hits[g] / sizes[g] for g in sizes}


@pytest.mark.parametrize("key", ["social_assistance", "pension"])
def test_planted_lower_approval_for_elderly_rural(frames: dict, key: str) -> None:
    meta, data, predictions = frames[key]
    joined = data.merge(predictions, on="编号")
    groups = _groups(joined)
    approved = joined["预测"].astype(int)
    rates = approved.groupby(groups).mean().to_dict()
    hand = _hand_rates(groups.tolist(), approved.tolist())
    assert rates == pytest.approx(hand)
    reference = rates["young_urban"]
    assert rates["old_rural"] / reference < 0.65
    for other in ("old_urban", "young_rural"):
        assert rates[other] / reference > 0.9, other
    # Ground truth has no such gap: the bias is the model's.
    truth = joined[meta["label"]].astype(int).groupby(groups).mean()
    assert truth["old_rural"] / truth["young_urban"] > 0.9
    # 80+ in rural 镇 clearly fails four-fifths; 80+ in urban 街道 does not.
    age = joined["年龄"].astype(int)
    town = joined["街道镇"].str.endswith("镇")
    assert approved[(age >= 80) & town].mean() / reference < 0.65
    assert approved[(age >= 80) & ~town].mean() / reference > 0.9


def test_planted_false_alarms_for_elderly_rural(frames: dict) -> None:
    _, data, predictions = frames["risk_warning"]
    joined = data.merge(predictions, on="编号")
    negatives = joined[joined["发生风险事件"] == "0"]
    groups = _groups(negatives)
    flagged = negatives["预测"].astype(int)
    fpr = flagged.groupby(groups).mean().to_dict()
    assert fpr == pytest.approx(_hand_rates(groups.tolist(), flagged.tolist()))
    assert fpr["old_rural"] > 2.5 * fpr["young_urban"]
    for other in ("old_urban", "young_rural"):
        assert fpr[other] < 1.5 * fpr["young_urban"], other


def test_planted_misrouting_for_elderly_rural(frames: dict) -> None:
    _, data, predictions = frames["hotline"]
    joined = data.merge(predictions, on="编号")
    groups = _groups(joined)
    correct = (joined["预测"] == joined["承办部门"]).astype(int)
    accuracy = correct.groupby(groups).mean().to_dict()
    assert accuracy == pytest.approx(_hand_rates(groups.tolist(), correct.tolist()))
    assert accuracy["old_rural"] < 0.7 * accuracy["young_urban"]
    for other in ("old_urban", "young_rural"):
        assert accuracy[other] > 0.9 * accuracy["young_urban"], other
    assert accuracy["young_urban"] > 0.8


def test_hotline_texts_carry_personal_information(frames: dict) -> None:
    _, data, _ = frames["hotline"]
    texts = data["工单内容"].tolist()
    with_name = sum(n in t for n, t in zip(data["姓名"], texts, strict=True))
    with_id = sum(i in t for i, t in zip(data["身份证号"], texts, strict=True))
    with_address = sum(a in t for a, t in zip(data["住址"], texts, strict=True))
    digits = ["".join(ch for ch in t if ch.isdigit()) for t in texts]
    with_phone = sum(p in d for p, d in zip(data["联系电话"], digits, strict=True))
    n = len(texts)
    assert with_name == n
    assert with_phone == n
    assert 0.3 * n < with_id < 0.9 * n
    assert with_address > 0.6 * n
    assert any("-" in t and "+86" not in t for t in texts) and any("+86" in t for t in texts)
    assert len({t[:6] for t in texts}) > 5  # several templates


@pytest.mark.parametrize("key", KEYS)
def test_model_card(frames: dict, key: str) -> None:
    meta, _, _ = frames[key]
    card = yaml.safe_load(Path(meta["card"]).read_text(encoding="utf-8"))
    for field in ("vendor_name", "vendor_uscc", "model_name", "model_version", "service_domain", "intended_use",
                  "out_of_scope_uses", "automated_decision", "human_in_the_loop", "algorithm_type",
                  "filing_number", "training_data", "personal_information_sources", "input_features",
                  "sensitive_attributes", "known_limitations", "contact"):
        assert field in card, field
    vendors = {v["name"]: v["uscc"] for v in DEMO_VENDORS}
    expected_vendor = "数安城市科技有限公司" if key == "risk_warning" else "智联政务科技有限公司"
    assert card["vendor_name"] == meta["vendor"] == expected_vendor
    assert card["vendor_uscc"] == vendors[expected_vendor] and is_valid_uscc(card["vendor_uscc"])
    assert card["input_features"] == meta["features"]
    assert card["sensitive_attributes"] == ["年龄", "街道镇"]
    assert card["service_domain"] in {"社会救助", "养老", "12345热线", "基层治理", "其他"}
    assert card["model_name"] == meta["model_name"]
    assert json.loads(json.dumps(card)) == card
    from models.card import load_card  # the intake's own validation accepts the card

    assert load_card(Path(meta["card"])).model_name == meta["model_name"]
