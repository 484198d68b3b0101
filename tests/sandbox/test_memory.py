"""A province-size table that would not fit in memory is refused before it is read (fail closed, no OOM kill)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sandbox._memory as memory
from sandbox.cli import app
from sandbox.errors import InputError
from sandbox.tabular import read_table
from sandbox.users import add_user

ROWS = "序号,姓名,身份证号,手机号,备注\n" + "".join(
    f"{i},王淑英,330112195304289713,13812345678,已入户核查\n" for i in range(200))


def test_available_memory_is_lowered_by_an_address_space_limit() -> None:
    """The probe reads the real limits: in a child process whose RLIMIT_AS leaves ~200 MB, it says so."""
    code = (
        "import os, resource, json\n"
        "from sandbox._memory import available_bytes\n"
        "free = available_bytes()\n"
        "used = int(open('/proc/self/statm').read().split()[0]) * os.sysconf('SC_PAGE_SIZE')\n"
        "resource.setrlimit(resource.RLIMIT_AS, (used + (200 << 20), resource.RLIM_INFINITY))\n"
        "print(json.dumps([free, available_bytes()]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    free, limited = json.loads(done.stdout)
    assert free > 1 << 30  # this machine has more than 1 GB free
    assert 100 << 20 < limited <= 200 << 20


def test_the_estimate_grows_with_the_work_and_counts_gbk_as_more(tmp_path: Path) -> None:
    utf8, gbk = tmp_path / "u.csv", tmp_path / "g.csv"
    utf8.write_bytes(ROWS.encode("utf-8"))
    gbk.write_bytes(ROWS.encode("gbk"))
    read = memory.estimate_bytes(utf8, kind="csv", work="read", encoding_hint=utf8.read_bytes())
    deid = memory.estimate_bytes(utf8, kind="csv", work="deid", encoding_hint=utf8.read_bytes())
    assert read < deid
    per_byte_utf8 = deid - memory.BASE_BYTES["deid"]
    per_byte_gbk = memory.estimate_bytes(gbk, kind="csv", work="deid", encoding_hint=gbk.read_bytes()) \
        - memory.BASE_BYTES["deid"]
    # a GBK file is smaller on disk than its UTF-8 twin but not in memory
    assert gbk.stat().st_size < utf8.stat().st_size and per_byte_gbk > per_byte_utf8 * 0.95
    pd.read_csv(utf8, dtype=str).to_parquet(tmp_path / "p.parquet")
    assert memory.estimate_bytes(tmp_path / "p.parquet", kind="parquet", work="deid") > memory.BASE_BYTES["deid"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_read_table_refuses_a_table_that_would_not_fit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       lang: str) -> None:
    path = tmp_path / "全省低保名单.csv"
    path.write_bytes(ROWS.encode("gbk"))
    assert len(read_table(path, work="deid")[0]) == 200  # plenty free: read
    monkeypatch.setattr(memory, "available_bytes", lambda: 64 << 20)
    monkeypatch.setattr(memory, "_resident_bytes", lambda: 0)  # a fresh process (a long test session holds more)
    with pytest.raises(InputError) as caught:
        read_table(path, work="deid")
    error = caught.value
    assert error.key == "errors.not_enough_memory" and error.params["free_gb"] == "0.1"
    assert float(error.params["need_gb"]) > 0.1
    text = error.render(lang)
    assert "全省低保名单.csv" in text and "--engine spark" in text
    assert ("未读取、未写入" if lang == "zh" else "nothing was read or written") in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_deid_and_scan_on_the_cli_refuse_and_write_nothing(home: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    add_user(username="steward", password="steward-pass-1", role="steward")
    monkeypatch.setenv("SANDBOX_PASSWORD", "steward-pass-1")
    source = tmp_path / "全省低保名单.csv"
    source.write_bytes(ROWS.encode("utf-8"))
    monkeypatch.setattr(memory, "available_bytes", lambda: 64 << 20)
    monkeypatch.setattr(memory, "_resident_bytes", lambda: 0)  # a fresh process (a long test session holds more)
    runner = CliRunner()
    for command in (["deid", str(source), "--out", str(tmp_path / "out")],
                    ["deid", str(source), "--out", str(tmp_path / "x.deid.parquet")],
                    ["pii", "scan", str(source), "--out", str(tmp_path / "scan.json")]):
        result = runner.invoke(app, ["--lang", lang, *command, "--as", "steward"])
        assert result.exit_code == 1, result.output
        assert "全省低保名单.csv" in result.stderr and "--engine spark" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "全省低保名单.csv"]  # nothing half-written


def test_the_upload_pages_say_the_limit_and_where_a_larger_table_goes(home: Path) -> None:
    """A 1–2 GB export is refused by the browser before it is sent (server.maxUploadSize, 500 MB — the workbench
    holds uploads in memory and works in-process); the page says so beforehand, in the user's language."""
    from streamlit.testing.v1 import AppTest

    from sandbox.i18n import t

    root = Path(__file__).resolve().parents[2]
    assert "maxUploadSize = 500" in (root / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    steward = add_user(username="steward", password="steward-pass-1", role="steward")
    at = AppTest.from_file(str(root / "workbench_pages" / "pii_scan.py"), default_timeout=60)
    at.session_state["actor"] = steward
    at.session_state["lang"] = "zh"  # AppTest drives a radio with format_func=tr in Chinese only
    at.run()
    assert not any("500 MB" in c.value for c in at.caption)  # demo data chosen: no uploader, no hint
    at.radio(key="pii_source").set_value("upload").run()
    assert not at.exception
    hint = " ".join(c.value for c in at.caption)
    assert "500 MB" in hint and "--engine spark" in hint and "大数据源（Spark）" in hint
    english = t("ui.upload_large", "en", limit="500 MB")
    assert "500 MB" in english and "--engine spark" in english and "Large source (Spark)" in english


def test_what_the_process_holds_already_is_not_counted_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbench that has loaded its libraries and the name model needs only the rest and the table: with 0.5 GB
    free it still reads a small file for de-identification, whose whole-process estimate is above 0.9 GB."""
    path = tmp_path / "名单.csv"
    path.write_bytes(ROWS.encode("utf-8"))
    assert memory.estimate_bytes(path, kind="csv", work="deid") > 900 << 20
    monkeypatch.setattr(memory, "available_bytes", lambda: 512 << 20)
    monkeypatch.setattr(memory, "_resident_bytes", lambda: 1 << 30)       # libraries and model loaded
    assert len(read_table(path, work="deid")[0]) == 200
    monkeypatch.setattr(memory, "_resident_bytes", lambda: 100 << 20)     # a fresh process: still refused
    with pytest.raises(InputError) as caught:
        read_table(path, work="deid")
    assert caught.value.key == "errors.not_enough_memory"
