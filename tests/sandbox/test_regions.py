"""Region codes come from the packaged tables; retired codes are named, not rejected."""

from __future__ import annotations

from sandbox.regions import lookup_region, parent_codes, region_table


def test_current_code() -> None:
    info = lookup_region("110105")
    assert info is not None and info.current
    assert info.full_name == "北京市朝阳区"


def test_code_created_2021_is_current() -> None:
    info = lookup_region("330113")
    assert info is not None and info.name == "临平区" and info.current


def test_retired_code_from_older_table() -> None:
    info = lookup_region("330104")  # 江干区, merged in 2021
    assert info is not None and not info.current and info.name == "江干区"
    assert info.source == "cpca 2020"


def test_code_in_no_table_but_known_province() -> None:
    info = lookup_region("110103")  # 崇文区, merged in 2010
    assert info is not None and not info.current and info.source == ""


def test_unknown_province_and_bad_format() -> None:
    assert lookup_region("990101") is None
    assert lookup_region("11010") is None
    assert lookup_region("abcdef") is None


def test_hierarchy() -> None:
    assert parent_codes("330110001") == ["330110", "330100", "330000"]
    assert parent_codes("330100") == ["330000"]
    assert parent_codes("330000") == []
    assert len(region_table()) > 3000
