"""Spark's JVM out of memory (a 10M-row de-identification on the default 1 GB heap) is a clear message, not
"An error occurred while calling o164.collectToPython", and a process whose JVM is gone says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.engines._jobs import out_of_memory
from sandbox.errors import SandboxError

pytestmark = pytest.mark.spark

# In its own process: the session-wide ``spark`` fixture's JVM must not be killed.
SCRIPT = r'''
import json, os, signal, sys, threading, time
os.environ["SANDBOX_HOME"] = sys.argv[1]
from sandbox.engines import JobFailed, spark_job, spark_session
from sandbox.errors import ConfigError
session = spark_session(master="local[1]")
java = [int(p) for p in os.listdir("/proc") if p.isdigit() and open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1]
        == str(os.getpid()) and "java" in os.readlink(f"/proc/{p}/exe")]

def kill():  # what the kernel or an OutOfMemoryError does to the JVM, half-way through a job
    time.sleep(3)
    for pid in java:
        os.kill(pid, signal.SIGKILL)

out = {}
threading.Thread(target=kill, daemon=True).start()
try:
    with spark_job(session, description="sum"):
        session.range(10**12).selectExpr("sum(id * 7 % 13)").collect()
except JobFailed as exc:
    out["job"] = [exc.key, exc.render("zh"), exc.render("en")]
try:  # the same process (a workbench serving others) starts a new JVM
    again = spark_session(master="local[1]")
    out["again"] = again.range(10).count()
except ConfigError as exc:
    out["session"] = [exc.key, exc.render("zh"), exc.render("en")]
print(json.dumps(out, ensure_ascii=False))
os._exit(0)
'''

# The CLI's SIGTERM handler in a process whose whole group gets SIGTERM (`timeout`, systemd stopping a unit):
# the JVM dies of it too, often before Python's handler runs.
GROUP_SCRIPT = r'''
import json, os, signal, sys, threading, time
os.environ["SANDBOX_HOME"] = sys.argv[1]
from sandbox.cli._common import terminate
from sandbox.engines import JobCancelled, JobFailed, spark_job, spark_session
signal.signal(signal.SIGTERM, terminate)
session = spark_session(master="local[1]")
out = {}
try:
    with spark_job(session, description="sum"):
        print("started", flush=True)
        session.range(10**12).selectExpr("sum(id * 7 % 13)").collect()
except (JobCancelled, JobFailed) as exc:
    out["job"] = [exc.key, exc.render("zh"), exc.render("en")]
except KeyboardInterrupt:
    out["job"] = ["terminated"]
print(json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)
'''

# The other order of the same stop: the JVM gets SIGTERM and dies before this process hears of it (deterministic:
# only the JVM is signalled). Before: "ran out of memory or exited".
JVM_FIRST_SCRIPT = r'''
import json, os, signal, sys, threading, time
os.environ["SANDBOX_HOME"] = sys.argv[1]
from sandbox.engines import JobCancelled, JobFailed, spark_job, spark_session
from pyspark import SparkContext
session = spark_session(master="local[1]")
jvm = SparkContext._gateway.proc.pid

def stop():
    time.sleep(3)
    os.kill(jvm, signal.SIGTERM)

threading.Thread(target=stop, daemon=True).start()
out = {}
try:
    with spark_job(session, description="sum"):
        session.range(10**12).selectExpr("sum(id * 7 % 13)").collect()
except (JobCancelled, JobFailed) as exc:
    out["job"] = [exc.key, exc.render("zh"), exc.render("en")]
print(json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)
'''


def test_a_dead_jvm_is_named_with_what_to_do(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    key, zh, en = out["job"]
    assert key == "engines.errors.out_of_memory"
    assert "spark.driver.memory=8g" in zh and "内存不足或已退出" in zh and "ran out of memory or exited" in en
    assert "session" not in out and out["again"] == 10  # before: engines.errors.jvm_gone until a restart


def test_sigterm_to_the_process_group_says_cancelled(tmp_path: Path) -> None:
    """Before: "Spark's Java process ran out of memory or exited" (the JVM had died of the same SIGTERM)."""
    import os
    import signal
    import time

    child = subprocess.Popen([sys.executable, "-c", GROUP_SCRIPT, str(tmp_path)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    time.sleep(3)  # the job is running in the JVM
    os.killpg(child.pid, signal.SIGTERM)
    out, err = child.communicate(timeout=300)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["job"][0] in ("engines.errors.cancelled", "terminated"), (result, err[-2000:])
    if result["job"][0] != "terminated":
        assert "已取消" in result["job"][1] and "was cancelled" in result["job"][2]
    # before: ~35 lines of Py4J tracebacks ("KeyboardInterrupt while sending command") above the one that matters
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]


def test_out_of_memory_texts() -> None:
    assert out_of_memory("java.lang.OutOfMemoryError: Java heap space")
    assert out_of_memory("Caused by: GC overhead limit exceeded")
    assert not out_of_memory("AnalysisException: [UNRESOLVED_COLUMN] 姓名")
    assert issubclass(type(SandboxError("x")), Exception)


def _wide_parquet(path: Path, rows: int) -> Path:
    """A small file that decodes big: one dictionary-encoded text column (363 bytes a cell) and a number."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    dictionary = pa.array([f"{i:03d}" + "备注" * 60 for i in range(100)])
    column = pa.DictionaryArray.from_arrays(pa.array(np.arange(rows, dtype=np.int32) % 100), dictionary)
    pq.write_table(pa.table({"备注": column, "序号": pa.array(np.arange(rows))}), path)
    return path


def test_the_driver_heap_follows_the_machine_and_the_partitions_the_input(spark: object, tmp_path: Path) -> None:
    """Spark's own 1 GB heap and the sandbox's 4 partitions held no 10M-row de-identification."""
    from sandbox.engines import size_spark_job
    from sandbox.engines._sizing import source_bytes

    conf = spark.sparkContext.getConf().get("spark.driver.memory")  # type: ignore[attr-defined]
    assert conf is not None and conf.endswith("g") and 1 <= int(conf[:-1]) <= 16
    heap = spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory()  # type: ignore[attr-defined]
    assert abs(heap - int(conf[:-1]) * 2**30) < 0.1 * int(conf[:-1]) * 2**30  # the setting reached the JVM
    source = _wide_parquet(tmp_path / "wide.parquet", 400_000)
    assert 140e6 < source_bytes(source) < 160e6  # type: ignore[operator]
    try:
        size_spark_job(spark, source, work="deid")  # type: ignore[arg-type]
        assert spark.conf.get("spark.sql.shuffle.partitions") == "5"  # type: ignore[attr-defined]
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", "4")  # type: ignore[attr-defined]


def test_a_heap_too_small_is_refused_before_the_job_with_the_settings_to_use(home: Path, tmp_path: Path) -> None:
    """A 1M-row table (375 MB decoded) on a 512 MB heap: refused in seconds, nothing written — not an
    OutOfMemoryError after minutes."""
    import os

    from typer.testing import CliRunner

    from sandbox.cli import app

    made = CliRunner().invoke(app, ["init", "--admin", "boss"], env={"SANDBOX_PASSWORD": "boss-password-1"})
    assert made.exit_code == 0, made.stderr
    added = CliRunner().invoke(app, ["users", "add", "wu", "--role", "steward", "--new-password", "steward-pw-1",
                                     "--as", "boss"], env={"SANDBOX_PASSWORD": "boss-password-1"})
    assert added.exit_code == 0, added.stderr
    source = _wide_parquet(tmp_path / "wide.parquet", 1_000_000)
    out = tmp_path / "out"
    env = {**os.environ, "SANDBOX_HOME": str(home), "SANDBOX_PASSWORD": "steward-pw-1",
           "SANDBOX_SPARK_MASTER": "local[1]", "SANDBOX_SPARK_CONF": "spark.driver.memory=512m"}
    done = subprocess.run([sys.executable, "-m", "sandbox", "--lang", "en", "deid", str(source), "--engine", "spark",
                           "--out", str(out), "--as", "wu"], env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "needs about 1.4 GB of Java heap" in done.stderr and "this Spark has 0.5 GB" in done.stderr, done.stderr
    assert 'SANDBOX_SPARK_CONF="spark.driver.memory=2g;spark.sql.shuffle.partitions=12"' in done.stderr
    assert "Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("out")] == []  # no output, no temporary folder


def test_a_jvm_stopped_by_sigterm_before_python_hears_of_it_says_cancelled(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", JVM_FIRST_SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    key, zh, en = json.loads(done.stdout.strip().splitlines()[-1])["job"]
    assert key == "engines.errors.cancelled" and "已取消" in zh and "was cancelled" in en, (key, en)
