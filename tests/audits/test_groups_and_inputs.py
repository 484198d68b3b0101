"""Groups (age bands, unknown, 身份证 ages, district roll-up) and input validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from audits import AgeBands, ColumnMap, age_from_id_card, encode_groups, load_policy, map_binary, prepare
from audits import _inputs as inputs
from audits import groups as groups_mod
from privacy.checksums import id_card_check_char
from sandbox.errors import InputError
from sandbox.i18n import t
from sandbox.tabular import read_table

from .conftest import synthetic


def _id(region: str, born: str, seq: str = "123") -> str:
    first = region + born + seq
    return first + id_card_check_char(first)


def test_age_bands_edges_and_unknown_group() -> None:
    ages = np.array([17, 18, 29, 29.9, 30, 79, 80, 120, 121, -1, np.nan])
    index, labels = AgeBands().assign(ages)
    assert labels == ["<18", "18–29", "30–44", "45–59", "60–69", "70–79", "80+", "未知"]
    assert [labels[i] for i in index] == ["<18", "18–29", "18–29", "18–29", "30–44", "70–79", "80+", "80+",
                                          "未知", "未知", "未知"]


def test_non_numeric_ages_go_to_unknown_never_dropped() -> None:
    ages = groups_mod.to_ages(pd.Series(["45", "abc", None, "200", "70"]))
    g = encode_groups(ages=ages, districts=pd.Series(["甲"] * 5))
    assert len(g.age) == 5
    assert [g.age_labels[i] for i in g.age] == ["45–59", "未知", "未知", "未知", "70–79"]


def test_ages_written_with_units_count_in_their_band() -> None:
    ages = groups_mod.to_ages(pd.Series(["70岁", "82 周岁", "６５岁", "45", 31.0, "七十", "70岁3个月"]))
    g = encode_groups(ages=ages, districts=pd.Series(["甲"] * 7))
    # 七十 (Chinese numerals) is read as 70; 70岁3个月 is not an age the reader knows.
    assert [g.age_labels[i] for i in g.age] == ["70–79", "80+", "60–69", "45–59", "30–44", "70–79", "未知"]


def test_age_from_id_card_birth_date() -> None:
    ids = pd.Series([_id("330106", "19500301"), _id("330106", "20000229"), "not-an-id", None,
                     _id("330106", "20300101")])
    ages = age_from_id_card(ids, as_of=date(2026, 3, 1))
    assert ages[0] == 76 and ages[1] == 26
    assert np.isnan(ages[2]) and np.isnan(ages[3]) and np.isnan(ages[4])


def test_age_from_id_card_as_exports_write_them() -> None:
    """Grouped, hyphenated, full-width and ×-for-X numbers were all "unknown age" before."""
    number = _id("330106", "19500301")
    written = [" ".join([number[:4], number[4:8], number[8:12], number[12:16], number[16:]]),
               f"{number[:6]}-{number[6:14]}-{number[14:]}", number.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
               number[:17] + "×", f"{number[:6]}\u3000{number[6:]}"]
    ages = age_from_id_card(pd.Series(written), as_of=date(2026, 3, 1))
    assert list(ages) == [76, 76, 76, 76, 76]


def test_district_codes_roll_up_the_hierarchy() -> None:
    districts = pd.Series(["西湖街道", "北山街道", "留下镇", None])
    codes = pd.Series(["330106001", "330106002", "330106010", None])
    g = encode_groups(ages=np.array([30.0, 40, 80, 50]), districts=districts, district_codes=codes)
    assert g.district_labels[-1] == "未知"
    assert "county" in g.rollups and "province" in g.rollups
    assert g.rollups["county"][0].endswith("（330106）") and "西湖区" in g.rollups["county"][0]
    assert g.rollups["province"][0].startswith("浙江省")


def test_too_many_districts_and_one_group_refused() -> None:
    n = 12_000
    with pytest.raises(InputError) as err:
        encode_groups(ages=np.full(n, 40.0), districts=pd.Series([f"街道{i}" for i in range(n)]), file="x.csv")
    assert err.value.key == groups_mod.ERR_TOO_MANY_DISTRICTS
    assert err.value.params["count"] == n
    with pytest.raises(InputError) as err:
        encode_groups(ages=np.full(10, 40.0), districts=pd.Series(["甲"] * 10), file="x.csv")
    assert err.value.key == groups_mod.ERR_ONE_GROUP
    with pytest.raises(InputError) as err:
        encode_groups(ages=np.full(10, np.nan), districts=pd.Series(["甲", "乙"] * 5), file="x.csv")
    assert err.value.key == groups_mod.ERR_NO_AGE


@pytest.mark.parametrize(("values", "vocabulary", "expected"), [
    (["是", "否", "是"], "是/否", [1, 0, 1]),
    (["1", "2", "2"], "1/2", [1, 0, 0]),
    (["Y", "n", "y"], "Y/N", [1, 0, 1]),
    ([1.0, 0.0, 1.0], "0/1", [1, 0, 1]),
    (["通过", "不通过", "通过"], "通过/不通过", [1, 0, 1]),
])
def test_binary_labels_mapped_when_unambiguous(values: list, vocabulary: str, expected: list[int]) -> None:
    codes, mapping = map_binary(pd.Series(values), file="d.csv", column="标签")
    assert codes.tolist() == expected
    assert mapping["vocabulary"] == vocabulary


def test_non_binary_labels_refused_naming_the_values() -> None:
    with pytest.raises(InputError) as err:
        map_binary(pd.Series(["A", "B", "C"]), file="d.csv", column="标签")
    assert err.value.key == inputs.ERR_LABEL_NOT_BINARY
    assert err.value.params == {"file": "d.csv", "column": "标签", "count": 3, "values": "A, B, C"}
    assert err.value.render("zh").startswith("文件 d.csv 的列 标签 不是二分类标签：发现 3 种取值（A, B, C）")
    assert "Column 标签 of d.csv is not a binary label" in err.value.render("en")
    with pytest.raises(InputError) as err:
        map_binary(pd.Series(["0", "1", "2"]), file="d.csv", column="标签")
    assert err.value.key == inputs.ERR_LABEL_NOT_BINARY
    codes, mapping = map_binary(pd.Series(["好", "差"]), file="d.csv", column="标签", positive="好")
    assert codes.tolist() == [1, 0] and mapping["negative"] == "差"


def _prepare(data: pd.DataFrame, preds: pd.DataFrame | None, **kw):  # type: ignore[no-untyped-def]
    cols = ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇", **kw)
    return prepare(data, preds, columns=cols, policy=load_policy(), data_name="data.csv", pred_name="pred.csv")


def test_predictions_join_on_ids_in_any_order() -> None:
    frame = synthetic(500)
    shuffled = frame[["编号", "预测"]].sample(frac=1.0, random_state=3)
    prepared = _prepare(frame.drop(columns=["预测"]), shuffled)
    assert prepared.info["join"] == {"method": "id", "column": "编号"}
    assert prepared.y_pred.tolist() == frame["预测"].tolist()


def test_bad_joins_are_refused() -> None:
    frame = synthetic(300)
    data = frame.drop(columns=["预测", "编号"])
    with pytest.raises(InputError) as err:
        _prepare(data, frame[["预测"]].head(200))
    assert err.value.key == inputs.ERR_LENGTH_MISMATCH
    assert err.value.params["pred_rows"] == 200 and err.value.params["data_rows"] == 300
    preds = frame[["编号", "预测"]].copy()
    preds.loc[0, "编号"] = "ZZZ"
    with pytest.raises(InputError) as err:
        _prepare(frame.drop(columns=["预测"]), preds)
    assert err.value.key == inputs.ERR_IDS_DONT_JOIN
    assert err.value.params["no_prediction"] == 1 and err.value.params["no_data"] == 1
    preds = frame[["编号", "预测"]].copy()
    preds.loc[1, "编号"] = preds.loc[0, "编号"]
    with pytest.raises(InputError) as err:
        _prepare(frame.drop(columns=["预测"]), preds)
    assert err.value.key == inputs.ERR_DUPLICATE_IDS


def test_missing_and_all_nan_columns_refused() -> None:
    frame = synthetic(100)
    frame["符合救助"] = None
    with pytest.raises(InputError) as err:
        _prepare(frame, None)
    assert err.value.key == inputs.ERR_ALL_MISSING
    frame = synthetic(100)
    frame.loc[5, "预测"] = None
    with pytest.raises(InputError) as err:
        _prepare(frame, None)
    assert err.value.key == inputs.ERR_MISSING_VALUES and err.value.params["row"] == 7
    with pytest.raises(InputError) as err:
        prepare(synthetic(50), None, columns=ColumnMap(label="符合救助", district="街道镇", age="年龄"),
                policy=load_policy())
    assert err.value.key == inputs.ERR_NEED_PREDICTION
    with pytest.raises(InputError) as err:
        _prepare(synthetic(50).rename(columns={"年龄": "岁数"}), None)
    assert err.value.key == "errors.column_missing"


def test_gbk_csv_and_excel_are_read(tmp_path: Path) -> None:
    frame = synthetic(300).drop(columns=["评分"])
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(frame.to_csv(index=False).encode("gbk"))
    excel = tmp_path / "data.xlsx"
    frame.to_excel(excel, index=False)
    for path in (gbk, excel):
        table, _info = read_table(path)
        prepared = _prepare(table, None)
        assert len(prepared.y_true) == 300
        assert set(prepared.groups.district_labels) >= {"西湖街道", "留下镇"}


def test_every_error_key_has_both_languages() -> None:
    keys = [v for m in (inputs, groups_mod) for k, v in vars(m).items() if k.startswith("ERR_")]
    for key in keys:
        assert t(key, "zh") != key and t(key, "en") != key
