"""Province-size tables on the pandas engine (scale, session 7): reading, de-identification, scan, audit, DP.

A 低保/医保 export of ``SCALE_ROWS`` rows (default 1,000,000; the 10M figures in ``docs/scale.md`` came from
``SCALE_ROWS=10000000 python -m benchmarks scale``, ~1 h on 2 cores) from :mod:`benchmarks._province`: UTF-8 CSV,
GBK CSV and Parquet. Each operation runs in its own process which samples its resident memory; the figure
"estimate / peak" is the memory guard's estimate (:mod:`sandbox._memory`) divided by the measured peak — it
must stay ≥ 1 (an estimate below the peak lets a table through that the kernel then kills).
``SCALE_OPS`` picks operations (default ``read,deid,scan,audit,dp``).

Measured on a shared 2-core machine: compare within one run, not across runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import Figure

AREA = "scale"

MEASURE = r'''
import json, os, resource, sys, threading, time
from pathlib import Path
peak = [0]
done = threading.Event()
def watch():
    while not done.wait(0.2):
        try:
            peak[0] = max(peak[0], int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
        except OSError:
            pass
threading.Thread(target=watch, daemon=True).start()
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0
op, source, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
from sandbox.demo.people import DEMO_PASSWORD, seed_people
from sandbox.users import authenticate
from sandbox._memory import estimate_bytes
from sandbox.tabular import _kind
seed_people()
steward, reviewer = authenticate("steward", DEMO_PASSWORD), authenticate("reviewer", DEMO_PASSWORD)
open("/proc/self/clear_refs", "w").write("5")  # peak RSS from here: account set-up (password hashing) is not the work
peak[0] = 0
with source.open("rb") as handle:
    head = handle.read(65536)
work = {"dp": "release"}.get(op, op)
estimate = estimate_bytes(source, kind=_kind(source), work=work, encoding_hint=head)
t = time.perf_counter()
if op == "read":
    from sandbox.tabular import read_table
    note = f"{len(read_table(source)[0])} rows"
elif op == "deid":
    from privacy.deid import deidentify_file
    report = deidentify_file(actor=steward, source=source, out=out)
    note = f"{sum(report['pii_before'].values())} findings before, {sum(report['pii_after'].values())} after"
elif op == "scan":
    from privacy.scanning import scan_file
    note = f"{len(scan_file(source, actor=steward).findings)} findings"
elif op == "audit":
    from audits import ColumnMap, run_audit
    result = run_audit(actor=reviewer, data=source, predictions=source, record=False,
                       columns=ColumnMap(label="符合条件", prediction="模型判定", age="年龄", district="乡镇街道"),
                       domain="社会救助", replicates=1000)
    note = f"verdict {result['verdict']}"
else:
    from privacy.release import release_histogram
    table = release_histogram(actor=steward, source=source, by=["区县", "年龄段"],
                              epsilon=0.5, dataset=f"bench-{time.time_ns()}", keys_from_data=True)
    note = f"{len(table['cells'])} cells"
seconds = time.perf_counter() - t
done.set()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak": max(peak[0], hwm()),
                  "estimate": estimate, "note": note, "load": os.getloadavg()[0]}))
'''


def _measure(op: str, source: Path, home: Path, out: Path) -> dict:
    env = {**os.environ, "SANDBOX_HOME": str(home), "MLFLOW_DISABLE_TELEMETRY": "true"}
    done = subprocess.run([sys.executable, "-c", MEASURE, op, str(source), str(out)], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[Figure]:
    from benchmarks._province import write

    rows = int(os.environ.get("SCALE_ROWS", "1000000"))
    ops = os.environ.get("SCALE_OPS", "read,deid,scan,audit,dp").split(",")
    root = Path(os.environ.get("BENCH_DATA", tempfile.mkdtemp(prefix="bench-scale-")))
    paths = write(rows, root / "data")
    # A fresh data home per run: the ledger charges one source file to one dataset name, so a second run over
    # the same BENCH_DATA files under a new bench-<time> name was refused (privacy.err.source_charged_elsewhere).
    root.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="home-", dir=root))
    plan = [("read", kind) for kind in ("utf8.csv", "gbk.csv", "parquet")] + [
        ("deid", "utf8.csv"), ("scan", "parquet"), ("audit", "parquet"), ("dp", "parquet")]
    figures: list[Figure] = []
    for i, (op, kind) in enumerate(plan):
        if op not in ops:
            continue
        m = _measure(op, paths[kind], home, root / f"out-{i}")
        label = f"{op} pandas, {rows / 1e6:g}M rows, {kind}"
        figures += [
            Figure(area=AREA, name=f"{label}: seconds", value=m["seconds"], unit="s",
                   target="a few seconds" if op == "dp" else "",
                   note=f"CPU {m['cpu']:.0f} s; {m['note']}; load average {m['load']:.1f} at the end"),
            Figure(area=AREA, name=f"{label}: peak memory", value=m["peak"] / 2**20, unit="MB"),
            Figure(area=AREA, name=f"{label}: guard estimate / peak", value=m["estimate"] / m["peak"], unit="×",
                   target="≥ 1"),
        ]
    shutil.rmtree(home, ignore_errors=True)
    return figures
