"""The data steward's release walk, one service call per step (the 数据发布 page).

Every rule the page needs lives here, so that the page only parses input,
calls one function and renders:

1. :func:`release_sources` / :func:`save_upload` — which datasets can be
   released (the demo scenarios' ``data.csv`` plus uploads), and
   :func:`source_overview` — what the page shows before any button (columns,
   default quasi-identifiers and DP groups, the public keys, the ledger
   name and budget). Cheap: no Presidio, no jieba, no MLflow, no diffprivlib.
2. :func:`scan_source` — the full personal-information scan (every row).
3. :func:`deid_preview` — before/after of a few rows, the operators, and the
   whole file de-identified for download.
4. :func:`source_risk` — k, ℓ and prosecutor/journalist/marketer risk on the
   de-identified quasi-identifiers.
5. :func:`release_dp_table` — the DP district × age-band table, keys public
   by default (:func:`public_keys`), charged to the ledger before any noise.
6. :func:`package_release` — the release package with the same keys.

Tables are read once per file version (:func:`load_source` caches on path,
size and modification time).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from privacy.deid._policy import DeidPolicy, load_policy
from privacy.ledger import budget_status
from sandbox.errors import InputError
from sandbox.files import keep_upload, sha256_file
from sandbox.roles import Actor, authorize
from sandbox.settings import get_settings
from sandbox.tabular import ReadNote, read_table

__all__ = [
    "UPLOAD_TYPES", "age_column", "deid_preview", "load_source", "package_release", "public_keys",
    "release_dp_table", "release_sources", "save_upload", "scan_source", "scenario_info", "source_overview",
    "source_risk", "trial_choices",
]

# what sandbox.tabular.read_table reads, and WPS's .et it refuses with how to save it as .xlsx (not the browser's
# bare "file type not allowed")
UPLOAD_TYPES = ("csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet", "jsonl", "et")
PREVIEW_ROWS = 5
DEFAULT_SOURCE = "social_assistance"
DISTRICT_COLUMNS = ("街道镇", "街道", "乡镇")
COUNTY_COLUMNS = ("区县",)
AGE_COLUMNS = ("年龄", "age")
Progress = Callable[[float, str], None]


def release_sources(*, actor: Actor) -> dict[str, Path]:
    """The demo scenario datasets (``<demo>/<scenario>/data.csv``), scenario key → path.

    The default (first) is :data:`DEFAULT_SOURCE`, the scenario whose ledger the demo charges.
    """
    authorize(actor, "privacy.release")
    found = {p.parent.name: p for p in sorted(get_settings().demo_dir.glob("*/data.csv"))}
    return dict(sorted(found.items(), key=lambda item: item[0] != DEFAULT_SOURCE))


def save_upload(*, actor: Actor, name: str, data: bytes) -> Path:
    """Keep an uploaded file under ``<home>/work/uploads/`` (atomic write, no path from the user)."""
    authorize(actor, "privacy.release")
    safe = re.sub(r"[^\w.\-]+", "_", Path(name).name).strip("._") or "upload"
    if Path(safe).suffix.lower().lstrip(".") not in UPLOAD_TYPES:
        raise InputError("errors.pii_file_type", file=name, suffix=Path(name).suffix or "(none)",
                         allowed=" ".join(f".{t}" for t in UPLOAD_TYPES))
    return keep_upload(data, safe, folder="uploads")  # a page rerun keeps the file (and the read cache) as is


@functools.lru_cache(maxsize=8)
def _read(path: str, size: int, mtime_ns: int) -> tuple[pd.DataFrame, tuple[ReadNote, ...]]:
    frame, info = read_table(Path(path), work="deid")  # the page de-identifies what it loads
    return frame, tuple(info.notes)


def _read_source(path: str | Path) -> tuple[pd.DataFrame, tuple[ReadNote, ...]]:
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise InputError("errors.file_missing", file=str(path)) from None
    return _read(str(path), stat.st_size, stat.st_mtime_ns)


def load_source(path: str | Path) -> pd.DataFrame:
    """The table at ``path`` (``sandbox.tabular.read_table``), cached per file version. Do not modify it."""
    return _read_source(path)[0]


def scenario_info(path: str | Path) -> dict[str, Any]:
    """``scenario.json`` beside a demo dataset (column roles, public district list), else ``{}``."""
    meta = Path(path).parent / "scenario.json"
    if Path(path).name != "data.csv" or not meta.is_file():
        return {}
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def age_column(frame: pd.DataFrame, scenario: dict[str, Any] | None = None) -> str | None:
    """The age column (banded by the policy's age bands in DP tables)."""
    wanted = (scenario or {}).get("age")
    for column in (wanted, *AGE_COLUMNS):
        if column and column in frame.columns:
            return str(column)
    return None


def _district_column(frame: pd.DataFrame, scenario: dict[str, Any]) -> str | None:
    for column in (scenario.get("district"), *DISTRICT_COLUMNS):
        if column and column in frame.columns:
            return str(column)
    return None


def _county_names(frame: pd.DataFrame, scenario: dict[str, Any]) -> list[str]:
    """Every 区县 of the dataset's city from the GB/T 2260 table (``sandbox.regions``)."""
    from sandbox.regions import region_table

    code = str(scenario.get("county_code") or "")
    if not code:
        for column in (f"{c}代码" for c in (*COUNTY_COLUMNS, *DISTRICT_COLUMNS)):
            if column in frame.columns:
                first = frame[column].dropna().astype(str).head(1)
                code = first.iloc[0][:6] if len(first) else ""
                break
    if len(code) < 4 or not code[:4].isdigit():
        return []
    prefix = code[:4]
    return [name for c, name in sorted(region_table().items())
            if c.startswith(prefix) and not c.endswith("00") and name != "市辖区"]


def public_keys(*, path: str | Path, frame: pd.DataFrame, by: list[str]) -> dict[str, list[str]]:
    """Public key lists for the DP group columns — never the values found in the data.

    街道/镇 columns take the scenario's published district list
    (``scenario.json`` ``districts``); 区县 columns every 区县 of the city in
    the GB/T 2260 table (``sandbox.regions``). Age columns need none (the
    policy's age bands are public), nor columns listed in the policy's
    ``public_keys``. Columns without a public list are left out: the release
    then refuses with ``privacy.err.keys_missing`` unless the steward opts in
    to keys from the data.
    """
    scenario = scenario_info(path)
    keys: dict[str, list[str]] = {}
    district = _district_column(frame, scenario)
    for column in by:
        if column == district and scenario.get("districts"):
            keys[column] = [str(d["name"]) for d in scenario["districts"] if isinstance(d, dict) and d.get("name")]
        elif column in COUNTY_COLUMNS or column == scenario.get("county"):
            names = _county_names(frame, scenario)
            if names:
                keys[column] = names
    return keys


def source_overview(*, actor: Actor, path: str | Path, policy: str | DeidPolicy, dataset: str | None = None,
                    by: list[str] | None = None, is_upload: bool = False) -> dict[str, Any]:
    """What the page shows before any button: columns, defaults, public keys and the budget.

    Returns ``columns``, ``rows``, ``read_notes`` (what the reader did: title/footer rows skipped,
    header rows joined — in the user's language), ``quasi`` (policy quasi-identifiers present),
    ``default_by`` (district column + age column), ``keys`` (public keys of
    ``by``, default ``default_by``), ``age_columns`` (banded by the policy),
    ``policy_keys`` (listed in the policy), ``missing_keys`` (no public list),
    ``dataset`` (ledger name: the scenario key, or the upload's file stem) and
    ``budget`` (:func:`privacy.ledger.budget_status` plus ``share`` spent).
    """
    authorize(actor, "privacy.release")
    from privacy.deid._quasi import quasi_columns

    rules = load_policy(policy)
    path = Path(path)
    frame, notes = _read_source(path)
    scenario = scenario_info(path)
    default_by = [c for c in (_district_column(frame, scenario), age_column(frame, scenario)) if c]
    chosen = [c for c in (by if by is not None else default_by) if c in frame.columns]
    keys = public_keys(path=path, frame=frame, by=chosen)
    ages = [c for c in chosen if c in AGE_COLUMNS or ((spec := rules.column_operator(c)) is not None and spec.op == "generalize_age")]
    from_policy = [c for c in chosen if c in rules.public_keys and c not in keys]
    name = (dataset or "").strip() or (path.stem if is_upload else path.parent.name)
    return {
        "columns": [str(c) for c in frame.columns], "rows": len(frame),
        "read_notes": [note.text() for note in notes],
        "quasi": quasi_columns(rules, frame),
        "default_by": default_by, "keys": keys, "age_columns": ages, "policy_keys": from_policy,
        "missing_keys": [c for c in chosen if c not in keys and c not in ages and c not in from_policy],
        "dataset": name, "budget": budget_overview(actor=actor, dataset=name, policy=rules),
    }


def budget_overview(*, actor: Actor, dataset: str, policy: str | DeidPolicy = "default") -> dict[str, Any]:
    """The ledger's status for ``dataset`` (policy totals when never charged) and the spent ``share``."""
    status = budget_status(actor=actor, dataset=dataset, policy=load_policy(policy), missing_ok=True)
    total = status["epsilon_total"]
    return {**status, "share": min(1.0, status["epsilon_spent"] / total) if total > 0 else 1.0}


def scan_source(*, actor: Actor, path: str | Path, display_name: str | None = None,
                progress: Progress | None = None) -> dict[str, Any]:
    """Scan every row of ``path`` for personal information (``privacy.scanning.scan_file``).

    Returns ``rows_scanned``, ``has_pii``, ``entity_types`` (type → findings),
    ``pii_columns`` and ``columns`` (per-column summaries).
    """
    from privacy.scanning import scan_file  # Presidio + jieba: loaded only when a scan runs

    report = scan_file(path, actor=actor, display_name=display_name, progress=progress)
    return {"rows_scanned": report.rows, "has_pii": report.has_pii, "entity_types": report.entity_types,
            "pii_columns": [c.column for c in report.columns if c.has_pii],
            "columns": [c.to_dict() for c in report.columns]}


def deid_preview(*, actor: Actor, path: str | Path, policy: str | DeidPolicy, rows: int = PREVIEW_ROWS,
                 project: str = "default", display_name: str | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """The whole file de-identified (by content, re-scanned), with before/after of its first ``rows`` rows.

    The file is de-identified as a release would be
    (:func:`privacy.deid.deidentify_source`: every column classified by
    content, rare combinations suppressed, the output re-scanned) under
    ``<home>/work/deid/<source sha>/`` and labelled 去标识化: it is still
    personal information. The preview rows are taken before suppression (so
    before and after line up). ``columns`` gives per column the kind, rule,
    operator and the findings before and after; a refusal (no rule, PII left)
    raises and writes nothing.
    """
    from privacy.deid import deidentify_source

    authorize(actor, "privacy.deid")
    rules = load_policy(policy)
    path = Path(path)
    out = get_settings().work_dir / "deid" / f"{sha256_file(path)[:16]}-{rules.name}"
    report, result = deidentify_source(actor=actor, source=path, policy=rules, out=out, project=project,
                                       display_name=display_name, progress=progress, head=rows)
    return {"before": load_source(path).head(rows), "after": result.head, "operations": result.operations,
            "file": report["output"], "rows_out": report["rows_out"], "suppressed_rows": report["suppressed_rows"],
            "label": report["label"], "columns": report["columns"], "pii_before": report["pii_before"],
            "pii_after": report["pii_after"], "headers": report["headers"]}


def _risk_frame(frame: pd.DataFrame, rules: DeidPolicy, project: str, needed: list[str]) -> pd.DataFrame:
    """The source de-identified as released, on the ``needed`` columns only.

    The policy's quasi-identifiers (rare combinations are suppressed on them)
    and the code columns a generalisation reads come along; the other columns
    (free text above all) are left out: they cannot change the risk and are
    slow to process.
    """
    from privacy.deid import deidentify_frame

    wanted = {*needed, *rules.quasi_identifiers}
    codes = {str(spec.params["code_column"]) for column, spec in rules.columns.items()
             if column in wanted and spec.params.get("code_column")}
    keep = [c for c in frame.columns if c in wanted or c in codes]
    return deidentify_frame(frame[keep], rules, project=project).frame


def source_risk(*, actor: Actor, path: str | Path, policy: str | DeidPolicy, quasi: list[str],
                sensitive: str | None = None, project: str = "default") -> dict[str, Any]:
    """Re-identification risk of the de-identified ``path`` on ``quasi`` (``privacy.risk.assess_risk``)."""
    from privacy.risk import assess_risk

    authorize(actor, "privacy.deid")
    rules = load_policy(policy)
    if not quasi:
        raise InputError("privacy.err.no_quasi")
    released = _risk_frame(load_source(path), rules, project, [*quasi, *([sensitive] if sensitive else [])])
    missing = [c for c in [*quasi, *([sensitive] if sensitive else [])] if c not in released.columns]
    if missing:
        raise InputError("privacy.err.columns_missing", columns=", ".join(missing),
                         available=", ".join(map(str, released.columns)))
    return assess_risk(actor=actor, source=released, quasi=quasi, sensitive=sensitive, policy=rules)


def release_dp_table(*, actor: Actor, path: str | Path, by: list[str], epsilon: float, dataset: str,
                     policy: str | DeidPolicy = "default", keys_from_data: bool = False,
                     random_state: Any = None, population_reason: str | None = None) -> dict[str, Any]:
    """The DP histogram of ``path`` over ``by`` (``privacy.release.release_histogram``).

    Keys are :func:`public_keys` unless the steward opts in to ``keys_from_data``
    (which reveals which categories exist). ε is reserved in the ledger before
    any noise is drawn; an overspend is refused and changes nothing.
    """
    from privacy.release import release_histogram

    frame = load_source(path)
    keys = None if keys_from_data else public_keys(path=path, frame=frame, by=by)
    result = release_histogram(actor=actor, source=frame, by=by, epsilon=epsilon, dataset=dataset, policy=policy,
                               keys=keys, keys_from_data=keys_from_data, random_state=random_state,
                               source_file=path if isinstance(path, str | Path) else None,
                               population_reason=population_reason)
    result["budget"] = budget_overview(actor=actor, dataset=result["dataset"], policy=policy)
    return result


def package_release(*, actor: Actor, path: str | Path, dataset: str, policy: str | DeidPolicy = "default",
                    quasi: list[str] | None = None, histogram_by: list[str] | None = None,
                    epsilon: float | None = None, keys_from_data: bool = False,
                    trial_id: int | None = None, population_reason: str | None = None) -> dict[str, Any]:
    """The release package (``privacy.release.create_release``) with the same public keys as step 5.

    ``trial_id`` links the package to a model trial: the ethics review of that
    trial then shows it (and its scans) as privacy evidence.
    """
    from privacy.release import create_release

    keys = None
    if histogram_by and not keys_from_data:
        keys = public_keys(path=path, frame=load_source(path), by=histogram_by)
    return create_release(actor=actor, source=path, dataset=dataset, policy=policy, quasi=quasi or None,
                          histogram_by=histogram_by or None, epsilon=epsilon, keys=keys,
                          keys_from_data=keys_from_data, trial_id=trial_id, population_reason=population_reason)


def trial_choices(*, actor: Actor) -> dict[int, str]:
    """Trials a release can be evidence for: ``trial_id → "#id model/version · domain"`` (newest first)."""
    try:
        from models.service import list_models
    except ImportError:  # the models area is not installed: packages stay unlinked
        return {}
    rows = sorted(list_models(actor=actor), key=lambda r: -int(r["trial_id"] or 0))
    return {int(r["trial_id"]): f"#{r['trial_id']} {r['name']}/{r['version']} · {r['service_domain']}"
            for r in rows if r.get("trial_id")}
