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
try:
    spark_session(master="local[1]")
except ConfigError as exc:
    out["session"] = [exc.key, exc.render("zh"), exc.render("en")]
print(json.dumps(out, ensure_ascii=False))
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
    key, zh, en = out["session"]
    assert key == "engines.errors.jvm_gone" and "重启工作台" in zh and "Restart the workbench" in en


def test_out_of_memory_texts() -> None:
    assert out_of_memory("java.lang.OutOfMemoryError: Java heap space")
    assert out_of_memory("Caused by: GC overhead limit exceeded")
    assert not out_of_memory("AnalysisException: [UNRESOLVED_COLUMN] 姓名")
    assert issubclass(type(SandboxError("x")), Exception)
