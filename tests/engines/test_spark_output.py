"""Spark outputs at a Hadoop URI (here ``file://``): written under ``<out>._tmp-*``, renamed only when all is well."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.demo.people import DEMO_PASSWORD
from tests.engines.test_spark_deid import _table

pytestmark = pytest.mark.spark


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "._tmp-" in p.name or ".partial-" in p.name)


def test_failed_block_deletes_the_temporary_folder_and_leaves_nothing(home: Path, spark) -> None:  # type: ignore[no-untyped-def]
    from sandbox.engines import spark_output
    from sandbox.errors import InputError

    out = home.parent / "half"
    with pytest.raises(RuntimeError), spark_output(spark, f"file://{out}") as folder:
        spark.range(5).write.parquet(folder.child("data"))
        folder.write_text("report.json", "{}")
        assert folder.exists("data") and (Path(folder.uri.removeprefix("file://")) / "report.json").is_file()
        raise RuntimeError("a check failed after the job wrote its files")
    assert not out.exists() and _leftovers(home.parent) == []
    with spark_output(spark, out) as folder:  # a plain path is the same folder as file://
        spark.range(5).write.parquet(folder.child("data"))
    assert len(spark.read.parquet(str(out / "data")).collect()) == 5 and _leftovers(home.parent) == []
    with pytest.raises(InputError) as err, spark_output(spark, f"file://{out}"):
        pass
    assert err.value.key == "engines.errors.out_exists"
    with pytest.raises(InputError) as err, spark_output(spark, "http://example.org/out"):
        pass
    assert err.value.key == "engines.errors.out_scheme" and "hdfs://" in err.value.render("zh")


def test_scan_and_deid_write_to_a_file_uri(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd
    from typer.testing import CliRunner

    from privacy.large import scan_large
    from sandbox.cli import app

    frame = _table(90)
    source = home.parent / "clients.parquet"
    frame.to_parquet(source, index=False)
    scan_uri = f"file://{home.parent}/scans/省级-scan"
    report = scan_large(actor=steward, source=source, out=scan_uri)
    folder = home.parent / "scans" / "省级-scan"
    assert report["findings_path"] == f"{scan_uri}/findings" and report["findings"] > 0
    assert len(pd.read_parquet(folder / "findings")) == report["findings"]
    assert json.loads((folder / "summary.json").read_text(encoding="utf-8"))["findings"] == report["findings"]
    assert not (folder / "_staging").exists() and _leftovers(folder.parent) == []

    deid_uri = f"file://{home.parent}/deid-out"
    args = ["deid", str(source), "--out", deid_uri, "--engine", "spark", "--json", "--as", "steward",
            "--password", DEMO_PASSWORD]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["output"] == f"{deid_uri}/clients.deid.parquet" and result["pii_after"] == {}
    written = pd.read_parquet(home.parent / "deid-out" / "clients.deid.parquet")
    assert len(written) == result["rows_out"] and not set(frame["客户"]) & set(written["客户"])
    assert _leftovers(home.parent) == []
    again = CliRunner().invoke(app, args)  # never overwrites: refused, the first result untouched
    assert again.exit_code != 0 and "deid-out" in again.output
    assert len(pd.read_parquet(home.parent / "deid-out" / "clients.deid.parquet")) == result["rows_out"]


def test_refused_deid_leaves_nothing_at_the_uri(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    from privacy.large import deidentify_large
    from sandbox.errors import RuleViolation

    source = home.parent / "clients.parquet"
    _table(60).to_parquet(source, index=False)
    policy = home.parent / "partial.yaml"
    policy.write_text("name: partial\nversion: '1'\nentities:\n  PERSON: {op: pseudonym}\n", encoding="utf-8")
    with pytest.raises(RuleViolation) as err:
        deidentify_large(actor=steward, source=source, policy=policy, out=f"file://{home.parent}/refused")
    assert err.value.key == "privacy.err.no_rule"
    assert not (home.parent / "refused").exists() and _leftovers(home.parent) == []


def test_a_temporary_left_by_a_killed_run_is_swept_and_others_are_kept(home: Path, spark) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL skips every clean-up: `<out>._tmp-…` stayed beside the output for good."""
    import os
    import subprocess
    import sys

    from sandbox.engines import spark_output
    from sandbox.engines._output import _HOST

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()  # a pid whose process has exited
    out = home.parent / "swept"
    killed = home.parent / f"swept._tmp-{_HOST}-{dead}-0123456789ab"
    running = home.parent / f"swept._tmp-{_HOST}-{os.getpid()}-ba9876543210"  # a run in progress (alive)
    elsewhere = home.parent / f"swept._tmp-other_host-{dead}-0123456789ab"  # another machine's: not ours to judge
    for folder in (killed, running, elsewhere):
        (folder / "data").mkdir(parents=True)
    with spark_output(spark, out) as folder:
        spark.range(3).write.parquet(folder.child("data"))
    assert out.is_dir() and not killed.exists() and running.exists() and elsewhere.exists()
