"""Background Spark jobs: progress, cancellation that stops the job; the large-sources page."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark


def _wait(condition) -> None:  # type: ignore[no-untyped-def]
    pause = threading.Event()
    while not condition():  # bounded by pytest's timeout, never by a timing assert
        pause.wait(0.2)


def test_cancel_stops_a_running_job_and_says_so(spark) -> None:  # type: ignore[no-untyped-def]
    from sandbox.engines import background_status, cancel_job, running_jobs, spark_job, start_background

    def slow(batches):  # type: ignore[no-untyped-def]
        import time

        for batch in batches:
            time.sleep(3600)
            yield batch

    def work(group, progress):  # type: ignore[no-untyped-def]
        with spark_job(spark, description="slow job", group=group, progress=progress):
            return spark.range(4, numPartitions=2).mapInPandas(slow, "id long").count()

    group = start_background(work, description="slow job")
    _wait(lambda: any(j["group"] == group and j["stage"] for j in running_jobs()))
    assert background_status(group)["done"] is False
    assert cancel_job(group) is True
    _wait(lambda: background_status(group)["done"])
    error = background_status(group)["error"]
    assert error is not None and error.key == "engines.errors.cancelled"
    assert "slow job" in error.render("en") and "no privacy budget was spent" in error.render("en")
    assert spark.range(3).count() == 3  # the session is still usable
    assert cancel_job(group) is False  # finished: nothing to cancel


def test_large_sources_page_lists_registered_sources(home: Path, spark, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    from sandbox.demo.people import DEMO_PASSWORD, seed_people
    from sandbox.settings import reset_settings_cache
    from sandbox.users import authenticate

    seed_people()
    monkeypatch.setenv("SANDBOX_LARGE_SOURCES", "省级低保=/data/dibao;热线=hotline.tickets")
    reset_settings_cache()
    page = AppTest.from_file(str(Path(__file__).parents[2] / "workbench_pages" / "large_sources.py"),
                             default_timeout=60)
    page.session_state["actor"] = authenticate("steward", DEMO_PASSWORD)
    page.session_state["lang"] = "en"
    page.run()
    assert not page.exception
    assert page.selectbox(key="large_source").options == ["省级低保", "热线"]
    assert page.radio(key="large_operation").options == ["DP histogram", "Personal-information scan",
                                                          "De-identification"]  # a steward never audits
    assert page.text_input(key="large_dataset").value == "省级低保"
    monkeypatch.delenv("SANDBOX_LARGE_SOURCES")
    reset_settings_cache()
    empty = AppTest.from_file(str(Path(__file__).parents[2] / "workbench_pages" / "large_sources.py"),
                              default_timeout=60)
    empty.session_state["actor"] = authenticate("reviewer", DEMO_PASSWORD)
    empty.session_state["lang"] = "en"
    empty.run()
    assert "SANDBOX_LARGE_SOURCES" in empty.info[0].value
