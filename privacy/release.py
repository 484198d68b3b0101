"""Release packages and the services behind the data-release page and CLI.

A package is a folder (and a zip of it) under ``<data home>/work/releases/``
with the released data, an optional DP table, ``manifest.json`` (source hash,
methods and parameters, ε spent, k reached, policy version, operators,
approver) and a short bilingual ``README.md``. It is labelled 去标识化 unless
the policy's anonymisation test passes on the released rows — only then
匿名化 (PIPL art. 73). It is refused while a re-scan of its files still finds
personal information. Everything is built under a temporary name
(:func:`sandbox.files.atomic_dir`): a killed process leaves no half release.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from privacy._tables import Release
from privacy.deid._policy import DeidPolicy, load_policy
from privacy.ledger import BudgetLedger, check_epsilon
from sandbox.activity import log_activity
from sandbox.errors import InputError, NotFoundError
from sandbox.roles import Actor, authorize
from sandbox.settings import get_settings
from sandbox.store import session_scope, utcnow

if TYPE_CHECKING:  # pandas, diffprivlib and the operators load only once a release really runs
    import pandas as pd

    from privacy.dp import DPTable
    from privacy.risk import RiskReport

__all__ = [
    "LABEL_ANON", "LABEL_DEID", "anonymisation_test", "create_release", "list_releases", "release_histogram",
    "release_path", "scan_record",
]

LABEL_DEID = "去标识化"
LABEL_ANON = "匿名化"


def scan_record(result: Any, *, rows_in: int) -> dict[str, Any]:
    """The manifest's ``scan``: personal information in the source (every row, by content) and in the release.

    ``source``/``release`` keep the shape the review evidence reads
    (``entity_types``, ``pii_columns``, ``rows_scanned``, ``has_pii``);
    ``columns`` has, per source column, its kind, rule, operator and the
    findings ``before`` and ``after`` (the re-scan of the released rows).
    """
    return {
        "source": {"entity_types": dict(result.pii_before), "rows_scanned": rows_in,
                   "pii_columns": [c["column"] for c in result.columns if c["before"]]},
        "release": {"has_pii": bool(result.pii_after), "entity_types": dict(result.pii_after),
                    "rows_scanned": len(result.frame)},
        "columns": result.columns,
    }


def anonymisation_test(policy: DeidPolicy, risk: RiskReport | None, *, identifying_columns: list[str],
                       text_entities: dict[str, int], lang: str | None = "en") -> tuple[bool, list[str]]:
    """Whether the policy's test allows 匿名化, with the reasons it does not (in ``lang``; None: the user's)."""
    from sandbox.i18n import t

    reasons = _reasons(policy, risk, identifying_columns=identifying_columns, text_entities=text_entities)
    return not reasons, [t(key, lang, **params) if lang else t(key, **params) for key, params in reasons]


def _reasons(policy: DeidPolicy, risk: RiskReport | None, *, identifying_columns: list[str],
             text_entities: dict[str, int]) -> list[tuple[str, dict[str, Any]]]:
    test = policy.anonymisation_test
    if not test:
        return [("privacy.anon.no_test", {})]
    reasons: list[tuple[str, dict[str, Any]]] = []
    if test.get("no_direct_identifiers", True) and identifying_columns:
        reasons.append(("privacy.anon.identifiers", {"columns": ", ".join(identifying_columns)}))
    if test.get("no_direct_identifiers", True) and text_entities:
        reasons.append(("privacy.anon.free_text", {}))
    if risk is None:
        reasons.append(("privacy.anon.no_quasi", {}))
    else:
        if "k" in test and risk.k < int(test["k"]):
            reasons.append(("privacy.anon.k", {"k": risk.k, "target": test["k"]}))
        if "max_prosecutor_risk" in test and risk.prosecutor_highest > float(test["max_prosecutor_risk"]):
            reasons.append(("privacy.anon.prosecutor", {"risk": f"{risk.prosecutor_highest:.3f}",
                                                        "limit": test["max_prosecutor_risk"]}))
        if "l" in test and risk.l_distinct is not None and risk.l_distinct < int(test["l"]):
            reasons.append(("privacy.anon.l", {"l": risk.l_distinct, "target": test["l"]}))
    return reasons


def _read_keys(keys: str | Path | dict[str, list[str]] | None) -> dict[str, list[str]] | None:
    if keys is None or isinstance(keys, dict):
        return keys
    import yaml

    path = Path(keys)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError("privacy.err.keys_file", file=path.name) from exc
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise InputError("privacy.err.keys_file", file=path.name)
    return {str(k): [str(x) for x in v] for k, v in data.items()}


def _require_file(path: Path) -> None:
    """The check :func:`sandbox.tabular.read_table` starts with, without importing pandas."""
    if not path.is_file():
        raise InputError("errors.file_missing", file=str(path))


def release_histogram(*, actor: Actor, source: str | Path | pd.DataFrame, by: list[str], epsilon: float,
                      dataset: str, policy: str | Path | DeidPolicy = "default",
                      keys: str | Path | dict[str, list[str]] | None = None, keys_from_data: bool = False,
                      where: dict[str, list[str]] | None = None, random_state: Any = None,
                      engine: str | None = None, spark_progress: Any = None,
                      job_group: str | None = None, source_file: str | Path | None = None,
                      population_reason: str | None = None) -> dict[str, Any]:
    """A DP histogram of ``source`` over ``by`` charged to ``dataset``'s ledger (the CLI's ``release histogram``).

    A source file (``source`` itself, or ``source_file`` for a frame read from
    it) is charged to one dataset only: its sha256 is kept with each spend, and
    the same file under another dataset name is refused before it is read
    (``privacy.err.source_charged_elsewhere``) — a new name is no fresh ε. The
    same *people* in another file (a column added, rows reordered or changed) are
    refused before any noise (``privacy.err.population_charged_elsewhere``,
    :mod:`privacy._population`) unless ``population_reason`` declares that they
    are another population (recorded with the spend).

    ``engine="spark"``: ``source`` is a Parquet/CSV file or folder or a table
    name; Spark computes the exact counts (:mod:`privacy._spark`) before the
    ledger is touched — a failed job spends nothing.
    """
    from sandbox.engines import resolve_engine

    authorize(actor, "privacy.release")
    check_epsilon(epsilon)
    ledger = BudgetLedger(actor=actor, dataset=dataset, policy=load_policy(policy))
    ledger.precheck(epsilon=epsilon, scope=where)  # a spent budget is refused before the data is even read
    if resolve_engine(engine) == "spark" and isinstance(source, str | Path):
        from privacy._population import population_from_spark
        from privacy._spark import WEIGHT, grouped_records
        from privacy.dp import dp_histogram
        from sandbox.engines import read_source, source_label, spark_job, spark_session

        session = spark_session()
        with spark_job(session, description=f"DP histogram {source_label(source)}", progress=spark_progress,
                       group=job_group):
            grouped = grouped_records(session=session, source=source, source_name=source_label(source),
                                      columns=list(dict.fromkeys([*by, *(where or {})])))
            ledger.population = population_from_spark(read_source(session, source))  # the people, before noise
        ledger.population_reason = population_reason
        table = dp_histogram(grouped, by, epsilon=epsilon, accountant=ledger, keys=_read_keys(keys),
                             keys_from_data=keys_from_data, where=where, random_state=random_state,
                             weight_column=WEIGHT)
        status = ledger.status()
        return {**table.to_dict(), "dataset": ledger.dataset, "epsilon_remaining": status["epsilon_remaining"],
                "table": table, "engine": "spark"}
    if isinstance(source, str | Path):
        _require_file(Path(source))  # before pandas and diffprivlib are even imported
    from privacy.dp import dp_histogram
    from sandbox.tabular import read_table

    file = source if isinstance(source, str | Path) else source_file
    if file is not None and Path(file).is_file():  # the same file under another dataset name: refused, not a fresh ε
        from sandbox.files import sha256_file

        ledger.source = f"sha256:{sha256_file(Path(file))}"
        ledger.precheck(epsilon=epsilon, scope=where)
    frame = read_table(Path(source), work="release")[0] if isinstance(source, str | Path) else source
    from privacy._population import population_fingerprint

    ledger.population, ledger.population_reason = population_fingerprint(frame), population_reason
    table = dp_histogram(frame, by, epsilon=epsilon, accountant=ledger, keys=_read_keys(keys),
                         keys_from_data=keys_from_data, where=where, random_state=random_state)
    status = ledger.status()
    return {**table.to_dict(), "dataset": ledger.dataset, "epsilon_remaining": status["epsilon_remaining"],
            "table": table}


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("_")[:60] or "dataset"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{e}×{n}" for e, n in counts.items()) or "—"


def _readme(manifest: dict[str, Any]) -> str:
    label_en = "anonymised" if manifest["label"] == LABEL_ANON else "de-identified"
    dp = manifest.get("dp")
    lines = [
        f"# 数据发布包 / Release package {manifest['release_id']}",
        "",
        f"- 数据集 Dataset: {manifest['dataset']}",
        f"- 标签 Label: **{manifest['label']}** ({label_en})",
        f"- 策略 Policy: {manifest['policy']['ref']}",
        f"- k-匿名 k reached: {manifest['risk']['k'] if manifest['risk'] else '—'}",
        f"- 差分隐私 ε spent: {dp['epsilon'] if dp else 0}",
        f"- 个人信息 Personal information (source → re-scan of this release): "
        f"{_counts(manifest['scan']['source']['entity_types'])} → {_counts(manifest['scan']['release']['entity_types'])}",
        f"- 批准人 Approver: {manifest['approver']}",
        "",
        "## 说明",
        "",
        ("本数据已通过策略的匿名化检验（《个人信息保护法》第七十三条），但仍应按数据共享协议使用。"
         if manifest["label"] == LABEL_ANON else
         "本数据为**去标识化**数据，仍属于个人信息（《个人信息保护法》第七十三条），不得尝试重新识别个人，仅限约定用途。"),
        "差分隐私表中每个单元格附 95% 误差区间；小单元格已按策略抑制或合并。",
        "",
        "## Notes",
        "",
        ("This data passed the policy's anonymisation test (PIPL art. 73); use it under the sharing agreement."
         if manifest["label"] == LABEL_ANON else
         "This data is **de-identified**, not anonymised: it is still personal information under PIPL art. 73. "
         "Do not attempt re-identification; use it only for the agreed purpose."),
        "Every cell of the differential-privacy table carries its 95% error interval; small cells were "
        "suppressed or merged per policy. See manifest.json for methods and parameters.",
        "",
    ]
    return "\n".join(lines)


def create_release(*, actor: Actor, source: str | Path, dataset: str,
                   policy: str | Path | DeidPolicy = "default", quasi: list[str] | None = None,
                   histogram_by: list[str] | None = None, epsilon: float | None = None,
                   keys: str | Path | dict[str, list[str]] | None = None, keys_from_data: bool = False,
                   approver: str | None = None, trial_id: int | None = None, project: str = "default",
                   random_state: Any = None, population_reason: str | None = None) -> dict[str, Any]:
    """De-identify ``source``, check risk, re-scan, add a DP table, and package it all.

    Order: validate → classify every column by content and de-identify (refuse
    if personal information has no rule) → re-scan (refuse if PII remains) →
    risk → reserve ε (refuse if it would overspend) → noise → write package →
    record. The manifest's ``scan`` has the findings per column before and
    after (:func:`scan_record`).
    """
    authorize(actor, "privacy.release")
    rules = load_policy(policy)
    if histogram_by:
        check_epsilon(epsilon)
    key_map = _read_keys(keys)
    source = Path(source)
    _require_file(source)
    from privacy.deid import deidentify_frame
    from privacy.deid._headers import public_name
    from privacy.dp import dp_histogram
    from privacy.risk import risk_report
    from sandbox.files import atomic_dir, atomic_path, sha256_file, write_table_safe
    from sandbox.tabular import read_table

    frame, info = read_table(source, work="deid")
    source_sha = sha256_file(source)
    # classify by content → rules (or refuse) → operators → suppression → re-scan (refuse if PII remains)
    result = deidentify_frame(frame, rules, project=project, file=source.name)
    released = result.frame
    scan = scan_record(result, rows_in=len(frame))
    from privacy.deid._quasi import quasi_columns

    # the policy's quasi-identifiers as this table names them (所属街道 for 街道镇) and place/sex columns by content:
    # a risk test over fewer columns than the release holds would call it 匿名化 on a k it does not have
    qi = [c for c in quasi if c in released.columns] if quasi else quasi_columns(rules, released)
    sensitive = next((c for c in rules.sensitive if c in released.columns), None)
    risk = risk_report(released, qi, sensitive=sensitive, k=rules.risk.k) if qi and len(released) else None
    passed, reasons = anonymisation_test(rules, risk, identifying_columns=result.identifying_columns,
                                         text_entities=result.text_entities)
    reasons_zh = anonymisation_test(rules, risk, identifying_columns=result.identifying_columns,
                                    text_entities=result.text_entities, lang="zh")[1]
    shown = anonymisation_test(rules, risk, identifying_columns=result.identifying_columns,
                               text_entities=result.text_entities, lang=None)[1]
    label = LABEL_ANON if passed else LABEL_DEID
    release_id = f"{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    target = get_settings().work_dir / "releases" / f"{_slug(dataset)}-{release_id}"
    with atomic_dir(target) as tmp:
        data_file = tmp / "data.csv"
        write_table_safe(released, data_file)
        table: DPTable | None = None
        if histogram_by:
            from privacy._population import population_fingerprint

            ledger = BudgetLedger(actor=actor, dataset=dataset, policy=rules, source=f"sha256:{source_sha}",
                                  population=population_fingerprint(frame), population_reason=population_reason)
            table = dp_histogram(frame, histogram_by, epsilon=float(epsilon or 0), accountant=ledger,
                                 keys=key_map, keys_from_data=keys_from_data, random_state=random_state)
            write_table_safe(table.table, tmp / "histogram.csv")
        manifest = {
            "release_id": release_id, "created_at": utcnow().isoformat(timespec="seconds"),
            "dataset": dataset, "trial_id": trial_id,
            # as published: names in the file name or the header row replaced (never the source's own text)
            "source": {"file": public_name(source.name, rules, project=project), "sha256": source_sha,
                       "rows": len(frame), "columns": result.columns_in, "read_notes": info.note_dicts()},
            "policy": {"ref": rules.ref, "name": rules.name, "version": rules.version, "file": rules.source},
            "label": label, "label_en": "anonymised" if passed else "de-identified",
            "anonymisation_test": {"passed": passed, "reasons": reasons, "reasons_zh": reasons_zh,
                                   "test": rules.anonymisation_test},
            "operators": result.operations, "text_entities": result.text_entities,
            "suppressed_rows": result.suppressed_rows, "rows_released": len(released),
            "risk": risk.to_dict() if risk else None,
            "scan": scan,
            "dp": ({k: v for k, v in table.to_dict().items() if k != "cells"} if table else None),
            "epsilon_spent": table.epsilon if table else 0.0,
            "approver": approver or actor.username, "created_by": actor.username,
            "tool_versions": {p: version(p) for p in ("diffprivlib", "presidio-anonymizer", "pandas")},
        }
        manifest["files"] = {p.name: sha256_file(p) for p in sorted(tmp.iterdir())}
        (tmp / "README.md").write_text(_readme(manifest), encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str),
                                           encoding="utf-8")
    manifest_sha = sha256_file(target / "manifest.json")
    zip_path = target.with_suffix(".zip")
    try:
        with atomic_path(zip_path) as tmp_zip, zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(target.iterdir()):
                archive.write(file, f"{target.name}/{file.name}")
        with session_scope() as session:
            row = Release(dataset=dataset, trial_id=trial_id, label=label, k_reached=risk.k if risk else None,
                          epsilon_spent=manifest["epsilon_spent"], manifest_sha256=manifest_sha,
                          source_sha256=source_sha, path=str(target), policy=rules.ref,
                          scan=manifest["scan"], approver=manifest["approver"], created_by=actor.username)
            session.add(row)
            session.flush()
            log_activity(session, actor, "privacy.release", dataset, release=row.id, label=label,
                         epsilon=manifest["epsilon_spent"])
            row_id = int(row.id)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        zip_path.unlink(missing_ok=True)
        raise
    return {"id": row_id, "release_id": release_id, "path": str(target), "zip": str(zip_path), "label": label,
            "k": risk.k if risk else None, "epsilon": manifest["epsilon_spent"], "manifest_sha256": manifest_sha,
            "anonymisation_reasons": reasons, "anonymisation_reasons_shown": shown, "manifest": manifest}


def list_releases(*, actor: Actor, dataset: str | None = None, trial_id: int | None = None) -> list[dict[str, Any]]:
    """Release packages, newest first."""
    authorize(actor, "privacy.release")
    return _releases(dataset=dataset, trial_id=trial_id)


def _releases(*, dataset: str | None = None, trial_id: int | None = None) -> list[dict[str, Any]]:
    with session_scope() as session:
        query = select(Release).order_by(Release.id.desc())
        if dataset is not None:
            query = query.where(Release.dataset == dataset)
        if trial_id is not None:
            query = query.where(Release.trial_id == trial_id)
        return [{"id": r.id, "dataset": r.dataset, "trial_id": r.trial_id, "label": r.label,
                 "k_reached": r.k_reached, "epsilon_spent": r.epsilon_spent,
                 "manifest_sha256": r.manifest_sha256, "source_sha256": r.source_sha256, "path": r.path,
                 "policy": r.policy, "scan": r.scan, "approver": r.approver, "created_by": r.created_by,
                 "created_at": r.created_at.isoformat(timespec="seconds") if r.created_at else ""}
                for r in session.scalars(query)]


def release_path(*, actor: Actor, release_id: int) -> Path:
    """The zip of a release (for download)."""
    authorize(actor, "privacy.release")
    with session_scope() as session:
        row = session.get(Release, release_id)
        if row is None or not Path(row.path).exists():
            raise NotFoundError("privacy.err.release_missing", release=release_id)
        return Path(row.path).with_suffix(".zip")
