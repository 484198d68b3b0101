"""The planted disparity is what the sandbox's own audit (1,000 replicates) finds — and only it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from audits import ColumnMap, compute_audit, load_policy, prepare
from sandbox.demo.scenarios import SCENARIOS, load_scenario

ELDERLY_BANDS = {"70–79", "80+"}


@pytest.fixture(scope="module")
def reports(demo_home_path: Path) -> dict[str, dict]:
    policy = load_policy("standard")
    out = {}
    for key in SCENARIOS:
        meta = load_scenario(key, demo_home_path / "demo")
        data = pd.read_csv(meta["data"], dtype=str, keep_default_na=False)
        predictions = pd.read_csv(meta["predictions"], dtype=str, keep_default_na=False)
        columns = ColumnMap(label=meta["label"], prediction=meta["prediction"], age=meta["age"],
                            district=meta["district"], district_code="街道镇代码", id=meta["id"])
        prepared = prepare(data, predictions, columns=columns, policy=policy, domain=meta["service_domain"])
        out[key] = compute_audit(prepared, policy=policy, domain=meta["service_domain"])
    return out


@pytest.mark.parametrize("key", list(SCENARIOS))
def test_audit_fails_elderly_rural_and_only_there(reports: dict, key: str) -> None:
    report = reports[key]
    assert report["bootstrap"]["replicates"] >= 1000
    assert report["verdict"] == "fail"
    checks = report["checks"]
    fails = [c for c in checks if c["verdict"] == "fail"]
    for check in fails:
        group = check["group"]
        if check["dimension"] == "age_band":
            assert group in ELDERLY_BANDS, check
        elif check["dimension"] == "district":
            assert group.endswith("镇"), check
        elif check["dimension"] == "intersection":
            band, district = group.split(" × ")
            assert band in ELDERLY_BANDS and district.endswith("镇"), check
    headline = report["headline_metric"]
    failed_cells = {c["group"] for c in fails if c["dimension"] == "intersection"}
    # 80+ in every sizeable rural 镇 clearly fails; most of them on the headline check
    # (the four-fifths rule for approvals, false alarms, routing accuracy).
    for town in ("於潜镇", "昌化镇", "太湖源镇"):
        assert f"80+ × {town}" in failed_cells, (town, sorted(failed_cells))
    headline_fails = {c["group"] for c in fails if c["dimension"] == "intersection" and c["metric"] == headline}
    assert sum(g.startswith("80+ × ") for g in headline_fails) >= 3, sorted(headline_fails)
    assert any(c["group"] == "80+" and c["verdict"] == "fail" for c in checks if c["dimension"] == "age_band")
    # Everyone else fails nothing and passes (at least one of) the headline checks.
    others = [c for c in checks if c["dimension"] == "age_band" and c["group"] not in ELDERLY_BANDS]
    others += [c for c in checks if c["dimension"] == "district" and c["group"].endswith("街道")]
    assert others and all(c["verdict"] != "fail" for c in others)
    groups = {c["group"] for c in others}
    passing = {c["group"] for c in others if c["metric"] == headline and c["verdict"] == "pass"}
    assert passing == groups, sorted(groups - passing)
