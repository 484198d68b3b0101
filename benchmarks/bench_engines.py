"""Engines side by side (issue 16): the fairness audit, the PII scan and de-identification, pandas vs Spark ``local[*]``.

Audit: 1M and 10M rows (100M with ``BENCH_LARGE=1``), 6 age bands × 13
districts, 1,000 bootstrap replicates, nothing recorded. Scan: 1M rows (10M
with ``BENCH_LARGE=1``) of structured identifiers (编号, 身份证号, 联系电话,
街道镇, 年龄). De-identification: the scan's 1M rows plus a 备注 column (one
phone number in 1,000 rows), the default policy (classification by content,
operators, rare-class suppression, the re-scan of the output), output written
(CSV for pandas, Parquet for Spark). Data is generated in 1M-row chunks straight into Parquet files
(never whole in the bench's memory); every measurement runs in its own
process, which samples the resident memory of the driver (Python), of the
JVM it starts (in local mode driver and executors share it) and of Spark's
Python workers. Rows/s count the whole service call (reading included; the
Spark session start is measured apart).

Measured on a shared 2-core machine: compare within one run, not across runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import Figure

AREA = "engines"
CHUNK = 1_000_000
DISTRICTS = [f"{name}街道" for name in ("锦城", "锦北", "锦南", "玲珑", "青山湖")] + [
    f"{name}镇" for name in ("太湖源", "高虹", "於潜", "天目山", "昌化", "河桥", "湍口", "岛石")]
LARGE = os.environ.get("BENCH_LARGE") == "1"


def _audit_chunk(n: int, seed: int):  # type: ignore[no-untyped-def]
    import pandas as pd

    rng = np.random.default_rng(seed)
    age = rng.integers(18, 96, n, dtype=np.int16)
    district = rng.integers(0, len(DISTRICTS), n)
    y = (rng.random(n) < 0.4).astype(np.int8)
    p_yes = np.where(y == 1, np.where((age >= 75) & (district >= 5), 0.5, 0.85), 0.1)
    pred = (rng.random(n) < p_yes).astype(np.int8)
    return pd.DataFrame({"年龄": age, "街道镇": np.array(DISTRICTS, dtype=object)[district], "符合救助": y, "预测": pred})


def _scan_chunk(n: int, seed: int):  # type: ignore[no-untyped-def]
    import pandas as pd

    from privacy.checksums import id_card_check_char

    rng = np.random.default_rng(seed)
    births = rng.integers(0, 365 * 70, n)
    base = np.datetime64("1940-01-01") + births.astype("timedelta64[D]")
    days = np.datetime_as_string(base, unit="D")
    serial = rng.integers(0, 1000, n)
    bodies = [f"330106{d[:4]}{d[5:7]}{d[8:10]}{s:03d}" for d, s in zip(days, serial, strict=True)]
    phones = [f"13{p:09d}" for p in rng.integers(0, 10**9, n)]
    return pd.DataFrame({"编号": [f"R{seed:03d}{i:07d}" for i in range(n)],
                         "身份证号": [b + id_card_check_char(b) for b in bodies], "联系电话": phones,
                         "街道镇": np.array(DISTRICTS, dtype=object)[rng.integers(0, len(DISTRICTS), n)],
                         "年龄": rng.integers(18, 96, n)})


def _deid_chunk(n: int, seed: int):  # type: ignore[no-untyped-def]
    frame = _scan_chunk(n, seed)
    phones = frame["联系电话"].str.replace("13", "15", n=1)
    frame["备注"] = np.where(np.arange(n) % 1000 == 0, "请回电" + phones, "已回访")
    return frame


def _write(kind: str, rows: int, folder: Path, *, single: bool) -> Path:
    """``rows`` rows as Parquet in 1M-row chunks: one file (``single``) or a folder of files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    make = {"audit": _audit_chunk, "scan": _scan_chunk, "deid": _deid_chunk}[kind]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{kind}-{rows}.parquet" if single else folder / f"{kind}-{rows}"
    if target.exists():
        return target
    writer = None
    if not single:
        target.mkdir()
    for i, start in enumerate(range(0, rows, CHUNK)):
        table = pa.Table.from_pandas(make(min(CHUNK, rows - start), seed=i), preserve_index=False)
        if single:
            writer = writer or pq.ParquetWriter(target, table.schema)
            writer.write_table(table)
        else:
            pq.write_table(table, target / f"part-{i:05d}.parquet")
    if writer is not None:
        writer.close()
    return target


MEASURE = r'''
import json, os, resource, sys, threading, time
from pathlib import Path

def tree_rss(root):
    """RSS (MB) of root, of its java descendants, and of other python descendants."""
    kids = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                ppid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(pid))
            except OSError:
                pass
    out = {"driver": 0.0, "jvm": 0.0, "workers": 0.0}
    stack = [(root, "driver")]
    while stack:
        pid, role = stack.pop()
        try:
            rss = int(open(f"/proc/{pid}/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        role = role if pid == root else ("jvm" if "java" in exe else "workers")
        out[role] += rss
        stack += [(k, role) for k in kids.get(pid, [])]
    return out

peak = {"driver": 0.0, "jvm": 0.0, "workers": 0.0}
done = threading.Event()
def watch():
    while not done.wait(0.2):
        for k, v in tree_rss(os.getpid()).items():
            peak[k] = max(peak[k], v)
threading.Thread(target=watch, daemon=True).start()

args = json.loads(sys.argv[1])
os.environ["SANDBOX_SPARK_MASTER"] = args.get("master", "local[*]")
from sandbox.demo.people import DEMO_PASSWORD, seed_people
from sandbox.users import authenticate
seed_people()
started = None
session_s = 0.0
warm_s = 0.0
if args["engine"] == "spark":
    t = time.perf_counter()
    from sandbox.engines import spark_session
    spark = spark_session()
    session_s = time.perf_counter() - t
    t = time.perf_counter()  # the JVM's first Parquet job (class loading, code generation) is measured apart
    spark.read.parquet(args["source"]).limit(10000).groupBy().count().collect()
    warm_s = time.perf_counter() - t
if args["op"] == "audit":
    from audits import ColumnMap, run_audit
    actor = authenticate("reviewer", DEMO_PASSWORD)
    t = time.perf_counter()
    result = run_audit(actor=actor, data=args["source"], predictions=args["source"], record=False,
                       columns=ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇"),
                       domain="社会救助", replicates=1000, engine=args["engine"])
    seconds = time.perf_counter() - t
    note = f"verdict {result['verdict']}, n={result['n_rows']}"
elif args["op"] == "deid":
    actor = authenticate("steward", DEMO_PASSWORD)
    t = time.perf_counter()
    if args["engine"] == "spark":
        from privacy.large import deidentify_large
        report = deidentify_large(actor=actor, source=args["source"], out=args["out"])
    else:
        from privacy.deid import deidentify_file
        report = deidentify_file(actor=actor, source=args["source"], out=args["out"])
    seconds = time.perf_counter() - t
    note = f"{sum(report['pii_before'].values())} findings before, {sum(report['pii_after'].values())} after"
else:
    actor = authenticate("steward", DEMO_PASSWORD)
    t = time.perf_counter()
    if args["engine"] == "spark":
        from privacy.large import scan_large
        report = scan_large(actor=actor, source=args["source"], out=args["out"])
        found = report["findings"]
    else:
        from privacy.scanning import scan_file
        found = len(scan_file(args["source"], actor=actor).findings)
    seconds = time.perf_counter() - t
    note = f"{found} findings"
done.set()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "session": session_s, "warm": warm_s, "peak": peak, "note": note,
                  "cpu": usage.ru_utime + usage.ru_stime, "load": os.getloadavg()[0]}))
'''


def _measure(op: str, engine: str, source: Path, home: Path, out: Path | None = None) -> dict:
    env = {**os.environ, "SANDBOX_HOME": str(home), "MLFLOW_DISABLE_TELEMETRY": "true"}
    args = {"op": op, "engine": engine, "source": str(source), "out": str(out) if out else ""}
    done = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(args)], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _figures(op: str, engine: str, rows: int, m: dict, target: str = "") -> list[Figure]:
    peak = m["peak"]
    label = f"{op} {engine}, {rows / 1e6:g}M rows"
    driver = peak["driver"] + (peak["jvm"] if engine == "spark" else 0.0)
    return [
        Figure(area=AREA, name=f"{label}: rows/s", value=rows / m["seconds"], unit="rows/s",
               note=f"{m['seconds']:.1f} s; {m['note']}; driver process CPU {m['cpu']:.0f} s (whole run), "
                    f"load average {m['load']:.1f} at the end"
                    + (f"; session start {m['session']:.1f} s, first job {m['warm']:.1f} s" if m["session"] else "")),
        Figure(area=AREA, name=f"{label}: peak driver memory", value=driver, unit="MB", target=target,
               note=(f"python {peak['driver']:.0f} MB + JVM {peak['jvm']:.0f} MB (local: executors inside); "
                     f"python workers {peak['workers']:.0f} MB") if engine == "spark" else ""),
    ]


def run() -> list[Figure]:
    figures: list[Figure] = []
    sizes = [1_000_000, 10_000_000] + ([100_000_000] if LARGE else [])
    scan_sizes = [1_000_000] + ([10_000_000] if LARGE else [])
    if os.environ.get("BENCH_ENGINES_ROWS"):  # e.g. "200000" for a quick look
        sizes = scan_sizes = [int(x) for x in os.environ["BENCH_ENGINES_ROWS"].split(",")]
    deid_sizes = [1_000_000]
    if os.environ.get("BENCH_ENGINES_ROWS"):
        deid_sizes = scan_sizes
    ops = set(os.environ.get("BENCH_ENGINES_OPS", "audit,scan,deid").split(","))  # e.g. "scan,deid"
    sizes = sizes if "audit" in ops else []
    scan_sizes = scan_sizes if "scan" in ops else []
    deid_sizes = deid_sizes if "deid" in ops else []
    root = Path(os.environ.get("BENCH_DATA", tempfile.mkdtemp(prefix="bench-engines-")))
    home = root / "home"
    for rows in sizes:
        folder = _write("audit", rows, root, single=False)
        if rows <= 10_000_000:
            single = _write("audit", rows, root, single=True)
            figures += _figures("audit", "pandas", rows, _measure("audit", "pandas", single, home))
        figures += _figures("audit", "spark", rows, _measure("audit", "spark", folder, home),
                            target="< 2048 MB at 100M rows" if rows == 100_000_000 else "")
    for rows in scan_sizes:
        folder = _write("scan", rows, root, single=False)
        single = _write("scan", rows, root, single=True)
        figures += _figures("scan", "pandas", rows, _measure("scan", "pandas", single, home))
        figures += _figures("scan", "spark", rows, _measure("scan", "spark", folder, home,
                                                           out=root / f"scan-out-{rows}-{os.getpid()}"))
    for rows in deid_sizes:
        folder = _write("deid", rows, root, single=False)
        single = _write("deid", rows, root, single=True)
        figures += _figures("deid", "pandas", rows, _measure("deid", "pandas", single, home,
                                                            out=root / f"deid-out-pd-{rows}-{os.getpid()}"))
        figures += _figures("deid", "spark", rows, _measure("deid", "spark", folder, home,
                                                           out=root / f"deid-out-spark-{rows}-{os.getpid()}"))
    return figures
