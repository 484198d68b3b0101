"""De-identification operators, generalisation and the policy."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from privacy.deid import (
    deidentify_frame,
    generalize_address,
    generalize_age,
    generalize_date,
    generalize_region,
    keyed_pseudonym,
    load_policy,
    partial_mask,
    pseudonym_key,
    pseudonymiser,
    suppress_rare,
)
from sandbox.errors import InputError
from tests.privacy.release_helpers import people


def test_masks_exact() -> None:
    assert partial_mask("11010519491231002X", keep_start=6, keep_end=4) == "110105********002X"
    assert partial_mask("13812345678", keep_start=3, keep_end=4) == "138****5678"
    assert partial_mask("123", keep_start=3, keep_end=4) == "***"  # too short: never shown whole
    assert partial_mask("", keep_start=3, keep_end=4) == ""
    # separators people type do not count: the same digits are kept as in the plain form
    assert partial_mask("3301 1219 5304 2897 13", keep_start=6, keep_end=4) == "3301 12**********97 13"
    assert partial_mask("138-0013-8000", keep_start=3, keep_end=4) == "138******8000"
    assert partial_mask("1 2-3", keep_start=2, keep_end=1) == "*****"  # three digits: too few to keep 2 + 1


def test_pseudonyms_stable_and_keyed(home: Path) -> None:
    key = pseudonym_key()
    assert len(key) == 32 and pseudonym_key() == key
    key_file = home / "secrets" / "pseudonym-default.key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    first = keyed_pseudonym("张伟", key=key)
    assert first == keyed_pseudonym("张伟", key=pseudonym_key())  # stable across calls/runs
    assert first != keyed_pseudonym("王芳", key=key)
    assert first != keyed_pseudonym("张伟", key=pseudonym_key("other-project"))  # keyed per project
    import hashlib
    import hmac

    assert first == "P" + hmac.new(key, "张伟".encode(), hashlib.sha256).hexdigest()[:16]
    fast = pseudonymiser(key)  # the bulk path (precomputed HMAC pads) agrees with hmac.new
    assert all(fast(v) == keyed_pseudonym(v, key=key) for v in ("张伟", "", "x" * 200, "11010519491231002X"))
    long_key = pseudonymiser(b"k" * 100)
    assert long_key("a") == "P" + hmac.new(b"k" * 100, b"a", hashlib.sha256).hexdigest()[:16]
    # "restart": forget caches, same key file → same pseudonym
    from sandbox.settings import reset_settings_cache

    reset_settings_cache()
    assert keyed_pseudonym("张伟", key=pseudonym_key()) == first


def test_corrupt_key_is_refused(home: Path) -> None:
    pseudonym_key()
    (home / "secrets" / "pseudonym-default.key").write_bytes(b"short")
    from sandbox.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        pseudonym_key()
    assert err.value.key == "privacy.err.key_corrupt"


def test_generalisation() -> None:
    ages = pd.Series([17, 18, 29, 30, 79, 80, 95, 121, None, "x"])
    expected = ["0-17", "18-29", "18-29", "30-44", "70-79", "80+", "80+", "未知", "未知", "未知"]
    assert generalize_age(ages, [18, 30, 45, 60, 70, 80]).tolist() == expected
    ints = pd.Series([17, 18, 29, 30, 79, 80, 95, 121, -1], dtype="int16")  # the integer fast path
    assert generalize_age(ints, [18, 30, 45, 60, 70, 80]).tolist() == [*expected[:8], "未知"]
    nullable = pd.Series([17, None, 80], dtype="Int64")
    assert generalize_age(nullable, [18, 30, 45, 60, 70, 80]).tolist() == ["0-17", "未知", "80+"]
    assert generalize_date(pd.Series(["1949-12-31", "bad"]), "month").tolist() == ["1949-12", "未知"]
    assert generalize_date(pd.Series(["1949-12-31"]), "year").tolist() == ["1949"]
    codes = pd.Series(["110105001", "330106012", "999"])
    assert generalize_region(codes, "county").tolist() == ["北京市朝阳区", "浙江省杭州市西湖区", "未知"]
    assert generalize_region(codes, "city").tolist() == ["北京市", "浙江省杭州市", "未知"]
    addresses = pd.Series(["浙江省杭州市西湖区北山街道宝石山路12号", "广西壮族自治区南宁市青秀区新竹街道1号", "某地"])
    assert generalize_address(addresses, "street").tolist() == [
        "浙江省杭州市西湖区北山街道", "广西壮族自治区南宁市青秀区新竹街道", "未知"]
    assert generalize_address(addresses, "district").tolist() == [
        "浙江省杭州市西湖区", "广西壮族自治区南宁市青秀区", "未知"]


def test_default_policy_applied(home: Path) -> None:
    frame = people(200).drop(columns=[])
    result = deidentify_frame(frame, load_policy("default"), suppress=False)
    out = result.frame
    assert set(out["身份证号"]) == {"110105********002X"}
    assert set(out["联系电话"]) == {"138****5678"}
    assert out["姓名"].str.match(r"^P[0-9a-f]{16}$").all()
    assert set(out["年龄"]) <= {"18-29", "30-44", "45-59", "60-69", "70-79", "80+"}
    assert out["出生日期"].str.len().eq(4).all()
    assert out["住址"].str.endswith(("街道", "镇")).all()
    assert result.identifying_columns == ["编号", "姓名", "身份证号", "联系电话"]
    again = deidentify_frame(frame, load_policy("default"), suppress=False).frame
    assert again["姓名"].tolist() == out["姓名"].tolist()


def test_anonymise_policy_drops_and_generalises(home: Path) -> None:
    out = deidentify_frame(people(300), load_policy("anonymise")).frame
    assert list(out.columns) == ["性别", "年龄", "街道镇", "收入"]
    assert set(out["街道镇"]) == {"浙江省杭州市临安区"}


def test_suppress_rare_rows_and_cells() -> None:
    frame = pd.DataFrame({"a": ["x", "x", "x", "y"], "b": [1, 1, 1, 2]})
    rows, n = suppress_rare(frame, ["a", "b"], 2)
    assert n == 1 and len(rows) == 3
    cells, n = suppress_rare(frame, ["a", "b"], 2, mode="cells")
    assert n == 1 and cells.iloc[3].tolist() == ["*", "*"]
    untouched, n = suppress_rare(frame, ["a", "b"], 2, max_fraction=0.1)
    assert n == 0 and len(untouched) == 4


def test_policy_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_policy("no-such-policy")
    assert err.value.key == "privacy.err.policy_missing"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: '1'\ncolumns: {姓名: {op: shred}}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_policy(bad)
    assert err.value.key == "privacy.err.policy_invalid" and err.value.params["field"] == "columns.姓名"
    bad.write_text("name: x\nversion: '1'\ndp: {epsilon_total: .nan}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_policy(bad)
    assert err.value.params["field"] == "dp.epsilon_total"
    assert "字段 dp.epsilon_total 无效" in err.value.render("zh")


def test_no_word_boundary_regex_in_privacy() -> None:
    root = Path(__file__).resolve().parents[2] / "privacy"
    mine = [*root.glob("deid/*.py"), *(root / f"{m}.py" for m in ("risk", "dp", "ledger", "release", "evidence"))]
    for path in mine:
        assert "\\b" not in path.read_text(encoding="utf-8"), path


def test_address_generalisation_keeps_known_divisions_only() -> None:
    """An estate's 三区 is not a district; a town written first is kept; a road after the district is not."""
    addresses = pd.Series(["朝阳区望京西园三区312号楼2单元601", "城关镇东大街粮站家属院47号", "望京西园三区312号楼",
                           "四川省凉山州昭觉县解放乡火普村3组", "西湖区文三路478号华星乡村小镇3幢", "东大街12号"])
    assert generalize_address(addresses, "street").tolist() == [
        "朝阳区", "城关镇", "未知", "四川省凉山州昭觉县解放乡", "西湖区", "未知"]
    assert generalize_address(addresses, "district").tolist() == [
        "朝阳区", "未知", "未知", "四川省凉山州昭觉县", "西湖区", "未知"]
