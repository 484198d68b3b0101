"""``--engine spark`` on the CLI: --json output, progress on stderr, clear errors (Java, master, engine name)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.demo.people import DEMO_PASSWORD

pytestmark = pytest.mark.spark
runner = CliRunner()


def test_pii_scan_and_histogram_on_spark_json(audit_source, steward, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _csv, folder = audit_source
    out = tmp_path / "scan"
    result = runner.invoke(app, ["pii", "scan", str(folder), "--engine", "spark", "--out", str(out), "--json",
                                 "--as", "steward", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["engine"] == "spark" and report["rows"] == 6000 and (out / "findings").is_dir()
    again = runner.invoke(app, ["--lang", "en", "pii", "scan", str(folder), "--engine", "spark", "--out", str(out),
                                "--as", "steward", "--password", DEMO_PASSWORD])
    assert again.exit_code == 1 and "already exists" in again.stderr
    # a file:// URI stays a URI (a Path argument turned file:///x into file:/x)
    hist = runner.invoke(app, ["release", "histogram", folder.as_uri(), "--by", "街道镇", "--epsilon", "0.5",
                               "--dataset", "cli-spark", "--keys-from-data", "--engine", "spark", "--json",
                               "--as", "steward", "--password", DEMO_PASSWORD])
    assert hist.exit_code == 0, hist.output
    assert json.loads(hist.stdout)["epsilon"] == 0.5


def test_unreachable_master_and_unknown_engine_are_clear(home: Path, spark, steward, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sandbox.engines import spark_session
    from sandbox.errors import ConfigError

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConfigError) as caught:
        spark_session(master=f"spark://127.0.0.1:{port}")
    assert caught.value.key == "engines.errors.master_unreachable"
    assert f"spark://127.0.0.1:{port}" in caught.value.render("en")
    assert spark_session() is spark  # the running session was not touched
    bad = runner.invoke(app, ["--lang", "en", "audit", "run", "--data", "x", "--predictions", "x", "--label", "y",
                              "--prediction", "p", "--age", "a", "--district", "d", "--engine", "hadoop",
                              "--dry-run", "--as", "steward", "--password", DEMO_PASSWORD])
    assert bad.exit_code == 1 and 'Unknown engine "hadoop"' in bad.stderr
    monkeypatch.setenv("PATH", str(home))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    from sandbox.engines._session import _java

    with pytest.raises(ConfigError) as no_java:
        _java()
    assert no_java.value.key == "engines.errors.java_missing" and "openjdk-17" in no_java.value.render("en")
