"""De-identification on Spark gives the pandas engine's rows, pseudonyms and before/after counts — or its refusal."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from sandbox.demo.people import DEMO_PASSWORD

pytestmark = pytest.mark.spark

_STREETS = ["西湖街道", "北山街道", "留下镇"]


def _table(n: int = 300):  # type: ignore[no-untyped-def]
    """Unknown headers (客户, 证件, 手机), free text with names/phones/IDs, quasi-identifiers with a few rare rows."""
    import pandas as pd

    from tests.privacy.deid_cases import _GIVEN, _SURNAMES, _id

    rng = random.Random(16)
    rows = []
    for i in range(n):
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        ident, phone = _id(rng), f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
        other = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        note = [f"客户要求回电至{phone}，已登记", f"{other}代为来电，证件号{_id(rng)}", "已回访", None][i % 4]
        age = str(rng.choice([25, 38, 52])) if i % 61 else "91"  # five rare classes → suppressed rows
        rows.append({"编号": f"K{i:05d}", "客户": name, "证件": ident, "手机": phone, "备注": note,
                     "年龄": age, "性别": "男" if i % 2 else "女", "街道镇": _STREETS[i % 3],
                     "满意度": rng.choice(["满意", "基本满意", "不满意"])})
    return pd.DataFrame(rows)


def _rows(frame) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    text = frame.astype(object).where(frame.notna(), "")
    return sorted(tuple(str(v) for v in row) for row in text[sorted(frame.columns)].itertuples(index=False))


def test_spark_deid_equals_pandas_rows_pseudonyms_and_counts(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd
    from typer.testing import CliRunner

    from privacy.deid import deidentify_source
    from sandbox.cli import app

    frame = _table()
    source = home.parent / "clients.parquet"
    frame.to_parquet(source, index=False)
    report_pd, result = deidentify_source(actor=steward, source=source, out=home.parent / "pd-out")
    out = home.parent / "spark-out"
    done = CliRunner().invoke(app, ["deid", str(source), "--out", str(out), "--engine", "spark", "--json",
                                    "--as", "steward", "--password", DEMO_PASSWORD])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    got = pd.read_parquet(out / "clients.deid.parquet")
    assert report["engine"] == "spark" and (out / "clients.deid.json").is_file()
    assert list(got.columns) == list(result.frame.columns)
    assert _rows(got) == _rows(result.frame)  # pseudonyms (same key), masks, spans, suppression: identical
    assert report["suppressed_rows"] == report_pd["suppressed_rows"] == 5
    for field in ("rows_in", "rows_out", "pii_before", "pii_after", "text_entities", "operations",
                  "identifying_columns", "columns"):
        assert report[field] == report_pd[field], field
    assert report["pii_before"]["PERSON"] >= 300 and report["pii_after"] == {}
    kinds = {c["column"]: (c["kind"], c["entity_type"], c["rule"]) for c in report["columns"]}
    assert kinds["客户"] == ("identifier", "PERSON", "entity") and kinds["备注"][0] == "free_text"
    names = set(frame["客户"])
    assert not names & set(got["客户"]) and not any(n in str(v) for v in got["备注"] for n in names)


def test_spark_deid_refuses_a_type_without_a_rule_and_writes_nothing(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    from privacy.large import deidentify_large
    from sandbox.errors import RuleViolation

    source = home.parent / "clients.parquet"
    _table(120).to_parquet(source, index=False)
    policy = home.parent / "partial.yaml"
    policy.write_text("name: partial\nversion: '1'\nentities:\n  PERSON: {op: pseudonym}\n"
                      "  CN_RESIDENT_ID: {op: mask, keep_start: 6, keep_end: 4}\n", encoding="utf-8")
    out = home.parent / "spark-out"
    with pytest.raises(RuleViolation) as err:
        deidentify_large(actor=steward, source=source, policy=policy, out=out)
    assert err.value.key == "privacy.err.no_rule"
    assert err.value.params["column"] == "手机, 备注" and err.value.params["missing"] == "PHONE_NUMBER"
    assert "手机, 备注" in err.value.render("zh") and "PHONE_NUMBER" in err.value.render("en")
    assert not out.exists() and not list(home.parent.glob(".spark-out*"))
    assert not list(home.parent.glob("spark-out._tmp-*"))


def test_spark_deid_without_the_broadcast_rescans_partitions_and_gives_the_same_rows(  # type: ignore[no-untyped-def]
        home: Path, spark, steward, monkeypatch) -> None:
    """Over the broadcast limit every column falls back to scanning its partitions: same rows and counts."""
    import pandas as pd

    import privacy.deid._spark as engine
    from privacy.deid import deidentify_source
    from privacy.large import deidentify_large

    frame = _table(160)
    source = home.parent / "clients.parquet"
    frame.to_parquet(source, index=False)
    report_pd, result = deidentify_source(actor=steward, source=source, out=home.parent / "pd-out")
    shipped: list[dict] = []
    real_ship = engine._ship
    monkeypatch.setattr(engine, "SHIP_VALUES", 0)
    monkeypatch.setattr(engine, "_ship", lambda *a, **k: shipped.append(real_ship(*a, **k)) or shipped[-1])
    report = deidentify_large(actor=steward, source=source, out=home.parent / "spark-out")
    assert shipped and all(not values for values in shipped[0].values())  # nothing over the limit was shipped
    assert "备注" not in shipped[0]  # …so the free-text column was scanned in its partitions
    got = pd.read_parquet(home.parent / "spark-out" / "clients.deid.parquet")
    assert _rows(got) == _rows(result.frame)
    for field in ("rows_out", "pii_before", "pii_after", "text_entities", "columns"):
        assert report[field] == report_pd[field], field
