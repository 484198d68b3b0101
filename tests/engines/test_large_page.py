"""The 大数据源（Spark） page's scan and de-identification of registered sources: services and the page."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from tests.engines.test_spark_deid import _table

pytestmark = pytest.mark.spark
PAGE = str(Path(__file__).parents[2] / "workbench_pages" / "large_sources.py")


def _register(monkeypatch: pytest.MonkeyPatch, **sources: Path | str) -> None:
    from sandbox.settings import reset_settings_cache

    monkeypatch.setenv("SANDBOX_LARGE_SOURCES", ";".join(f"{k}={v}" for k, v in sources.items()))
    reset_settings_cache()


def _raw_identifiers(frame) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(v) for column in ("客户", "证件", "手机") for v in frame[column]}


def test_scan_and_deid_of_a_registered_source(home: Path, spark, steward, reviewer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from privacy.large import deidentify_registered, scan_registered
    from sandbox.errors import InputError, PermissionDenied

    frame = _table(120)
    folder = home.parent / "clients"
    folder.mkdir()
    for i, start in enumerate(range(0, len(frame), 60)):
        frame.iloc[start:start + 60].to_parquet(folder / f"part-{i}.parquet", index=False)
    _register(monkeypatch, 客户回访=folder)

    scan = scan_registered(actor=steward, name="客户回访")
    assert scan["operation"] == "scan" and scan["rows"] == 120 and scan["findings"] > 0
    assert Path(scan["out"]).parent == home / "large-outputs" and Path(scan["out"], "summary.json").is_file()
    hit = {c["column"] for c in scan["columns"] if c["hit_cells"]}
    assert {"客户", "证件", "手机", "备注"} <= hit and set(scan["examples"]) == hit
    raw = _raw_identifiers(frame)
    shown = json.dumps(scan, ensure_ascii=False)
    assert all(scan["examples"][c] for c in hit) and not [v for v in raw if v in shown]
    assert all("*" in v for values in scan["examples"].values() for v in values)  # masked

    deid = deidentify_registered(actor=steward, name="客户回访", out=f"file://{home.parent}/客户-deid")
    assert deid["operation"] == "deid" and deid["label"] == "去标识化" and deid["pii_after"] == {}
    assert deid["output"] == f"file://{home.parent}/客户-deid/clients.deid.parquet"
    assert (home.parent / "客户-deid" / "clients.deid.parquet").is_dir()
    by_column = {c["column"]: c for c in deid["columns"]}
    assert by_column["客户"]["before"]["PERSON"] == 120 and by_column["客户"]["after"] == {}

    with pytest.raises(InputError) as err:
        scan_registered(actor=steward, name="不存在")
    assert err.value.key == "large.errors.unknown_source" and "客户回访" in err.value.render("zh")
    with pytest.raises(PermissionDenied):
        deidentify_registered(actor=reviewer, name="客户回访")


def _wait_done(group: str) -> None:
    from sandbox.engines import background_status

    pause = threading.Event()
    while not background_status(group)["done"]:  # bounded by pytest's timeout, never by a timing assert
        pause.wait(0.2)


def test_page_offers_scan_and_deid_to_the_steward_and_shows_an_unreachable_master(  # type: ignore[no-untyped-def]
        home: Path, spark, steward, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from sandbox.settings import reset_settings_cache

    source = home.parent / "clients.parquet"
    _table(30).to_parquet(source, index=False)
    _register(monkeypatch, 客户回访=source)
    page = AppTest.from_file(PAGE, default_timeout=60)
    page.session_state["actor"] = steward
    page.session_state["lang"] = "zh"
    page.run()
    assert not page.exception
    assert page.radio(key="large_operation").options == ["差分隐私直方图", "个人信息扫描", "去标识化"]
    page.radio(key="large_operation").set_value("deid").run()
    assert page.selectbox(key="large_policy").value == "default" and page.text_input(key="large_deid_out")

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("SANDBOX_SPARK_MASTER", f"spark://127.0.0.1:{port}")
    reset_settings_cache()
    page.radio(key="large_operation").set_value("scan").run()
    page.button(key="large_run").click().run()
    _wait_done(page.session_state["large_job"])
    page.run()
    assert not page.exception
    assert [e.value for e in page.error] and "无法在 3 秒内连接 Spark 主节点" in page.error[0].value
    assert f"spark://127.0.0.1:{port}" in page.error[0].value

    monkeypatch.delenv("JAVA_HOME", raising=False)  # the running session keeps its JVM; a new one finds no java
    monkeypatch.setenv("PATH", str(home))
    page.button(key="large_run").click().run()
    _wait_done(page.session_state["large_job"])
    page.run()
    assert not page.exception and "Spark 引擎需要 Java" in page.error[0].value
    monkeypatch.undo()
    reset_settings_cache()
