"""Every case of the bad-input corpus through the CLI, in Chinese and English.

For each case (``tests/data/make_bad_corpus.py``) on a fresh copy of a demo
world (in both languages for the first case of each command, then in one,
alternating — see ``_case_langs``): the command exits non-zero with a clear message in the requested
language on stderr (no traceback), and the sandbox database, the MLflow store
and every other file in the data home are exactly as before. The first case of
each command runs the real ``python -m sandbox`` (a new process per run, several
at a time); the others run the same CLI app in this process (typer's runner —
the same parsing, services, messages and exit codes — see ``_in_process``). Awkward but valid
inputs (GBK, GB18030, BOM, Excel title rows) must succeed instead. Cases whose
command has not landed yet are expected failures ("area not landed") and start
running by themselves when it lands.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.errors import InputError
from sandbox.tabular import read_table, require_columns
from tests._worlds import relocated_copy
from tests.data.make_bad_corpus import CASES, Case, build_files, marker_path

pytestmark = pytest.mark.timeout(1200)

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("zh", "en")


def _case_langs() -> dict[str, tuple[str, ...]]:
    """The languages each case runs in: both for the first case of each command (its messages must differ by
    language), then one, alternating within the command's cases. Every command is tried in both languages at
    about half the runs of trying every case in both (each run is a new CLI process: ~3 s of CPU; 192 runs were
    a quarter of the unit suite's time)."""
    seen: dict[tuple[str, ...], int] = {}
    langs = {}
    for case in CASES:
        index = seen[case.command] = seen.get(case.command, -1) + 1
        langs[case.id] = LANGS if index == 0 else (LANGS[index % 2],)
    return langs


def _first_of_each_command() -> frozenset[str]:
    """The cases run by a real ``python -m sandbox`` process: the first case of each command (in both languages).

    What only the real entry point does (``sandbox.__main__``: the early MLflow helper of ``audit run``, its exit
    without module teardown, the SIGTERM handler, the process's own imports and warnings) is the same for every
    case of a command, so one case per command proves it; the other cases differ only in the file and the
    arguments, which the CLI app reads the same way in this process (a new process is ~2 s of CPU: 77 of the 115
    runs were ~40 % of the corpus's time)."""
    firsts: dict[tuple[str, ...], str] = {}
    for case in CASES:
        firsts.setdefault(case.command, case.id)
    return frozenset(firsts.values())


CASE_LANGS = _case_langs()
SUBPROCESS_CASES = _first_of_each_command()
RUNS = [(case, lang) for case in CASES for lang in CASE_LANGS[case.id]]
CJK = re.compile(r"[\u3400-\u9fff]")
ESCAPE_NAMES = ("zip-slip-escaped.txt", "zip-slip")
NOISE_SUFFIXES = ("-wal", "-shm", "-journal")


# ----------------------------------------------------------------- helpers


def command_exists(path: tuple[str, ...]) -> bool:
    """Whether ``sandbox <path…>`` is a registered command today."""
    import typer

    from sandbox.cli import app

    node = typer.main.get_command(app)
    for name in path:
        child = getattr(node, "commands", {}).get(name)
        if child is None:
            return False
        node = child
    return True


def snapshot(home: Path) -> dict[str, str]:
    """What must not change: every table's rows in every SQLite file, every other file's bytes."""
    state: dict[str, str] = {}
    for path in sorted(home.rglob("*")):
        if not path.is_file() or path.name.endswith(NOISE_SUFFIXES):
            continue
        rel = path.relative_to(home).as_posix()
        with path.open("rb") as handle:
            is_sqlite = handle.read(16) == b"SQLite format 3\x00"
        if not is_sqlite:
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            continue
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            for table in tables:
                rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{table}"'))
                digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                state[f"{rel}::{table}"] = f"{len(rows)} rows {digest[:16]}"
        conn.close()
    return state


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    changes = [f"+ {k}" for k in after.keys() - before.keys()]
    changes += [f"- {k}" for k in before.keys() - after.keys()]
    changes += [f"~ {k}: {before[k]} → {after[k]}" for k in before.keys() & after.keys() if before[k] != after[k]]
    return sorted(changes)


# Bytecode for the ~130 subprocesses, outside the tree: without it (PYTHONDONTWRITEBYTECODE=1) every
# `python -m sandbox` compiles each imported module from source again, about three times the start-up.
PYCACHE = Path(tempfile.gettempdir()) / f"sandbox-corpus-pycache-{os.getuid()}"


# The environment of the CLI processes, read by `corpus_outcomes` before any run starts: the in-process runs
# change os.environ (SANDBOX_HOME, and through typer's runner SANDBOX_PASSWORD) while the pool's threads start
# processes.
BASE_ENV: dict[str, str] = {}
PASSWORD = "sandbox-demo"


def read_base_env() -> None:
    BASE_ENV.clear()
    BASE_ENV.update({k: v for k, v in os.environ.items()
                     if k not in {"SANDBOX_DB_URL", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "SANDBOX_LANG",
                                  "PYTHONDONTWRITEBYTECODE", "SANDBOX_HOME", "SANDBOX_PASSWORD"}})


def cli_env(home: Path) -> dict[str, str]:
    if not BASE_ENV:
        read_base_env()
    return {**BASE_ENV, "SANDBOX_HOME": str(home), "SANDBOX_PASSWORD": PASSWORD, "MLFLOW_DISABLE_TELEMETRY": "true",
            "PYTHONWARNINGS": "ignore", "PYTHONPYCACHEPREFIX": str(PYCACHE)}


def run_cli(home: Path, lang: str, argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sandbox", "--lang", lang, *argv], cwd=cwd, env=cli_env(home),
                          capture_output=True, text=True, timeout=600, check=False)


def _in_process(home: Path, lang: str, argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``sandbox --lang <lang> <argv>`` through the CLI app in this process, as :func:`run_cli` runs it.

    The same data home, working folder, password and ignored warnings as the process; an exception that escapes
    the command is written to stderr as the process would print it (a traceback), so the test sees it. Main
    thread only: it changes the working folder, the environment and the process language.
    """
    import warnings

    from typer.testing import CliRunner

    from sandbox.cli import app
    from sandbox.i18n import set_language
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    previous = os.getcwd(), os.environ.get("SANDBOX_HOME")
    os.chdir(cwd)
    os.environ["SANDBOX_HOME"] = str(home)
    reset_settings_cache()
    reset_engines()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = CliRunner().invoke(app, ["--lang", lang, *argv], env={"SANDBOX_PASSWORD": PASSWORD})
    finally:
        reset_engines()  # the home's database files closed before the snapshot and the clean-up
        os.chdir(previous[0])
        if previous[1] is None:
            os.environ.pop("SANDBOX_HOME", None)
        else:
            os.environ["SANDBOX_HOME"] = previous[1]
        reset_settings_cache()
        set_language(None)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(["sandbox", "--lang", lang, *argv], result.exit_code, result.stdout, stderr)


def fill(argv: tuple[str, ...], files: dict[str, Path], *, tmp: Path, home: Path) -> list[str]:
    values = {name: str(path) for name, path in files.items()}
    from privacy.deid import load_policy

    # {budget}: the default policy's whole ε (a setup line spends all of it)
    values.update(tmp=str(tmp), home=str(home), budget=f"{load_policy('default').dp.epsilon_total:g}")
    return [re.sub(r"\{([^{}]+)\}", lambda m: values[m.group(1)], arg) for arg in argv]


@dataclass(kw_only=True)
class Outcome:
    lang: str
    argv: list[str]
    code: int
    stdout: str
    stderr: str
    changes: list[str]
    escaped: list[str]


def _run_case(case: Case, world: Path, root: Path) -> dict[str, Outcome]:
    """Run ``case`` on its own copy of ``world`` (in both languages where it runs in both)."""
    run = run_cli if case.id in SUBPROCESS_CASES else _in_process
    folder = root / case.id
    home = folder / "home"
    relocated_copy(world, home)
    files = build_files(case, folder / "in")
    scratch = folder / "scratch"
    scratch.mkdir()
    for line in case.setup:
        done = run_cli(home, "en", fill(line, files, tmp=scratch, home=home), scratch)
        assert done.returncode == 0, f"setup {line} failed: {done.stderr[-2000:]}"
    outcomes = {}
    before = snapshot(home)
    for lang in CASE_LANGS[case.id]:
        argv = fill((*case.command, *case.argv), files, tmp=scratch, home=home)
        done = run(home, lang, argv, scratch)
        escaped = [str(p) for p in (marker_path(folder / "in"), *(Path("/tmp") / n for n in ESCAPE_NAMES))
                   if p.exists()]
        escaped += [str(p) for n in ESCAPE_NAMES for p in folder.rglob(n)]
        after = snapshot(home)  # also the state before the next language's run: nothing runs in between
        outcomes[lang] = Outcome(lang=lang, argv=argv, code=done.returncode, stdout=done.stdout, stderr=done.stderr,
                                 changes=diff(before, after), escaped=escaped)
        before = after
    # the 50 MB / 4 GiB-claiming inputs and the 36 MB copy of the world go at once (96 cases: 3.4 GB otherwise)
    shutil.rmtree(folder / "in", ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    return outcomes


@pytest.fixture(scope="session")
def corpus_world(demo_home_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's demo world (built once for the whole suite); each case works on its own copy."""
    return relocated_copy(demo_home_path, tmp_path_factory.mktemp("corpus-world") / "home")


@pytest.fixture(scope="session")
def corpus_outcomes(request: pytest.FixtureRequest, corpus_world: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Outcome] | str]:
    """Run every selected, landed case (both languages) once, a few cases at a time."""
    root = tmp_path_factory.mktemp("corpus-runs")
    selected = {item.callspec.params["case"].id for item in request.session.items
                if getattr(item, "callspec", None) and item.originalname == "test_cli_handles_bad_input"}
    landed = [case for case in CASES if case.id in selected and command_exists(case.command)]

    def run(case: Case) -> tuple[str, dict[str, Outcome] | str]:
        try:
            return case.id, _run_case(case, corpus_world, root)
        except Exception:  # reported by that case's test, not by every test of the session
            return case.id, traceback.format_exc()

    read_base_env()
    # the real processes several at a time; meanwhile this thread runs the other cases one by one in-process
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        processes = pool.map(run, [case for case in landed if case.id in SUBPROCESS_CASES])
        outcomes = dict(run(case) for case in landed if case.id not in SUBPROCESS_CASES)
        return {**outcomes, **dict(processes)}


# ------------------------------------------------------------------- tests


def test_corpus_covers_the_required_kinds() -> None:
    ids = " ".join(case.id for case in CASES)
    required = ["gbk", "gb18030", "utf8-bom", "excel-merged-header", "empty", "header-only", "wrong-delimiter",
                "nan-everywhere", "non-binary-label", "one-group", "ten-thousand-groups", "giant-cell", "zip-slip",
                "zip-bomb", "malicious-pickle", "bad-id-cards", "card-missing-fields", "epsilon-zero",
                "epsilon-negative", "epsilon-nan", "budget-spent"]
    assert [kind for kind in required if kind not in ids] == []
    assert len(CASES) >= 40


# Every file upload of the workbench → the CLI command that takes the same file
# through the same service (the corpus drives the CLI). A new upload must be
# added here, with corpus cases for its command, or the test below fails.
UPLOAD_PATHS: dict[str, tuple[str, ...]] = {
    "submit_file_": ("models", "submit"),
    "submit_card_file": ("models", "submit"),
    "audit_data_file": ("audit", "run"),
    "audit_pred_file": ("audit", "run"),
    "pii_upload": ("pii", "scan"),
    "rel_upload": ("release", "histogram"),
    "records_upload": ("verify",),
}


def test_every_workbench_upload_is_covered_by_the_corpus() -> None:
    found: dict[str, str] = {}
    for source in [*ROOT.glob("workbench_pages/*.py"), *ROOT.glob("*/forms.py"), *ROOT.glob("*/pagekit.py"),
                   *ROOT.glob("sandbox/*/ui.py")]:
        text = source.read_text(encoding="utf-8")
        for call in re.finditer(r"file_uploader\((?:[^()]|\([^()]*\))*\)", text):
            key = re.search(r"key=f?[\"']([A-Za-z0-9_]+)", call.group(0))
            assert key, f"{source.name}: a file_uploader without key= cannot be tracked: {call.group(0)[:80]}"
            found[key.group(1)] = source.name
    assert len(found) >= 7, found
    commands = {case.command for case in CASES}
    for key, page in found.items():
        assert key in UPLOAD_PATHS, (f"{page}: upload '{key}' is not covered by the bad-input corpus: map it in "
                                     "UPLOAD_PATHS to its CLI command and add cases in tests/data/make_bad_corpus.py")
        assert UPLOAD_PATHS[key] in commands, f"{key}: no corpus case runs sandbox {' '.join(UPLOAD_PATHS[key])}"


@pytest.mark.parametrize(("case", "lang"), RUNS, ids=[f"{case.id}-{lang}" for case, lang in RUNS])
def test_cli_handles_bad_input(case: Case, lang: str, corpus_outcomes: dict[str, dict[str, Outcome] | str],
                               request: pytest.FixtureRequest) -> None:
    if case.id not in corpus_outcomes:
        pytest.xfail(f"area not landed: sandbox {' '.join(case.command)} does not exist yet")
    if case.known_issue:
        request.applymarker(pytest.mark.xfail(reason=case.known_issue, strict=False))
    outcomes = corpus_outcomes[case.id]
    if isinstance(outcomes, str):
        pytest.fail(f"{case.id}: running the case failed:\n{outcomes}")
    out = outcomes[lang]
    where = f"{case.id} ({case.what}) [{lang}]: sandbox {' '.join(out.argv)}"
    message = out.stderr.strip()
    assert "Traceback" not in out.stderr + out.stdout, f"{where}: traceback\n{out.stderr[-3000:]}"
    assert not out.escaped, f"{where}: wrote outside its place: {out.escaped}"
    if case.expect == "accept":
        assert out.code in case.ok_codes, f"{where}: a valid (if awkward) file was refused ({out.code}): {message}"
        if "--json" in out.argv:
            assert isinstance(json.loads(out.stdout), dict | list), out.stdout[:500]
        return
    assert out.code != 0, f"{where}: accepted bad input\n{out.stdout[-1500:]}"
    if case.exit_code is not None:
        assert out.code == case.exit_code, f"{where}: exit {out.code}, expected {case.exit_code}: {message}"
    assert message, f"{where}: exit {out.code} without a message"
    missing = [text for text in case.message_has if text not in message]
    assert not missing, f"{where}: the message does not name {missing}: {message!r}"
    if lang == "zh":
        assert CJK.search(message), f"{where}: message not in Chinese: {message!r}"
    else:
        english = re.findall(r"[A-Za-z]{2,}", CJK.sub(" ", message))
        assert len(english) >= 3, f"{where}: message not in English: {message!r}"
        if "zh" in outcomes:
            assert message != outcomes["zh"].stderr.strip(), f"{where}: same text in both languages"
    assert not out.changes, f"{where}: the data home changed:\n" + "\n".join(out.changes[:30])


READER_CASES = [case for case in CASES if case.reader is not None]


@pytest.mark.parametrize("case", READER_CASES, ids=[case.id for case in READER_CASES])
def test_reader_handles_bad_file(case: Case, tmp_path: Path) -> None:
    """The shared reader (every upload path calls it) on the same files."""
    path = build_files(case, tmp_path)[case.reader_file]
    if case.reader == "ok":
        frame, info = read_table(path)
        require_columns(frame, {c: c for c in case.reader_columns}, file=path.name)
        assert len(frame) > 0 and "年龄" in frame.columns, info
        assert frame["街道镇"].str.endswith(("街道", "镇")).all(), frame["街道镇"].head()
        return
    with pytest.raises(InputError) as caught:
        frame, _ = read_table(path)
        require_columns(frame, {c: c for c in case.reader_columns}, file=path.name)
    assert caught.value.key == case.reader
    zh, en = caught.value.render("zh"), caught.value.render("en")
    assert CJK.search(zh) and path.name in zh
    assert len(re.findall(r"[A-Za-z]{2,}", CJK.sub(" ", en))) >= 3 and en != zh


def test_formula_injection_is_neutralised_in_exports(tmp_path: Path) -> None:
    """Cells a spreadsheet would run (=, +, -, @) are written as text."""
    from sandbox.files import write_table_safe
    from tests.data.make_bad_corpus import _formula_cells, _table

    source = tmp_path / "in.csv"
    _table(_formula_cells)(source)
    frame, _ = read_table(source)
    assert frame["姓名"].str.startswith(("=", "+", "-", "@")).sum() == 4
    target = tmp_path / "out.csv"
    write_table_safe(frame, target)
    back, _ = read_table(target)
    names = back["姓名"].tolist()
    assert not any(str(v).startswith(("=", "+", "-", "@")) for v in names), names[:5]
    assert names[0] == "'" + frame["姓名"][0]
    # In a workbook a cell is a formula only by its type: text cells stay text, values unchanged.
    import openpyxl

    target = tmp_path / "out.xlsx"
    write_table_safe(frame, target)
    sheet = openpyxl.load_workbook(target).active
    column = [row[list(frame.columns).index("姓名")] for row in sheet.iter_rows(min_row=2)]
    assert [cell.data_type for cell in column] == ["s"] * len(frame)
    assert [cell.value for cell in column] == frame["姓名"].tolist()
