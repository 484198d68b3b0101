"""``sandbox audit …``: fairness audits for pipelines.

Exit codes of ``audit run``: 0 every check passes · 3 a check fails · 4 no
failure but some checks lack evidence · 1 error. Heavy modules are imported
inside the commands so ``sandbox`` starts fast.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from sandbox.cli._common import (
    EXIT_CHECK_FAILED,
    EXIT_INSUFFICIENT,
    EXIT_OK,
    AsUser,
    JsonFlag,
    Password,
    acting_user,
    cli_command,
    emit,
    say,
)

audit_app = typer.Typer(help="公平性审计 / fairness audits", no_args_is_help=True)

EXIT_BY_VERDICT = {"pass": EXIT_OK, "fail": EXIT_CHECK_FAILED, "insufficient": EXIT_INSUFFICIENT}
Col = typer.Option


@audit_app.command("run")
@cli_command
def run(
    data: Annotated[str, Col("--data", help="审计数据（含标签与敏感属性）/ audit dataset (spark: also a table or "
                                            "a hdfs:// s3a:// file:// URI)")],
    label: Annotated[str, Col("--label", help="标签列 / label column")],
    district: Annotated[str, Col("--district", help="街道/镇列 / district column")],
    model: Annotated[str | None, Col("--model", help="NAME/VERSION of a registered version")] = None,
    predictions: Annotated[str | None, Col("--predictions", help="预测文件 / predictions file")] = None,
    prediction: Annotated[str | None, Col("--prediction", help="预测列 / prediction column")] = None,
    score: Annotated[str | None, Col("--score", help="评分列 / score column")] = None,
    age: Annotated[str | None, Col("--age", help="年龄列 / age column")] = None,
    id_card: Annotated[str | None, Col("--id-card", help="身份证号列 / ID-number column")] = None,
    district_code: Annotated[str | None, Col("--district-code", help="街道/镇代码列（用于区县汇总）")] = None,
    id_column: Annotated[str | None, Col("--id", help="join key of data and predictions (default 编号)")] = None,
    policy: Annotated[str | None, Col("--policy", help="fairness policy (default: standard)")] = None,
    domain: Annotated[str | None, Col("--domain", help="社会救助 | 养老 | 12345热线 | 基层治理 | 其他")] = None,
    task: Annotated[str, Col("--task", help="auto | binary | multiclass | regression")] = "auto",
    positive_label: Annotated[str | None, Col("--positive-label", help="value meaning 'yes'")] = None,
    replicates: Annotated[int | None, Col("--replicates", min=100, max=100_000)] = None,
    seed: Annotated[int | None, Col("--seed")] = None,
    threshold: Annotated[str | None, Col("--threshold", help="评分阈值 / decision threshold of the score "
                                         "(a level for ordinal scores)")] = None,
    threshold_direction: Annotated[str, Col("--threshold-direction",
                                            help="above: selected when score ≥ T · below: score ≤ T")] = "above",
    score_order: Annotated[str | None, Col("--score-order", help="ordinal levels low→high, e.g. 低,中,高")] = None,
    merge: Annotated[list[str] | None, Col("--merge", help="合并街道/镇名称 OLD=NEW (repeatable) / merge district "
                                            "labels")] = None,
    merge_variants: Annotated[bool, Col("--merge-variants", help="合并报告所列疑似同一地方的写法 / merge the "
                                        "likely variants the report names")] = False,
    partial_labels: Annotated[bool, Col("--partial-labels", help="只有部分行有标签（其余为空/未知/待核实）/ labels "
                                        "for some rows only: label metrics use the labelled rows")] = False,
    what_if: Annotated[bool, Col("--what-if", help="add the ThresholdOptimizer what-if")] = False,
    dry_run: Annotated[bool, Col("--dry-run", help="compute and report only; record nothing")] = False,
    out: Annotated[Path | None, Col("--out", help="report file: .json .csv .html .pdf")] = None,
    engine: Annotated[str | None, Col("--engine", help="pandas | spark (default: SANDBOX_ENGINE or pandas); "
                                      "spark reads a Parquet/CSV file or folder or a table name")] = None,
    as_user: AsUser = None,
    password: Password = None,
    as_json: JsonFlag = False,
) -> None:
    """运行公平性审计 / run a fairness audit (exit 0 pass · 3 fail · 4 insufficient evidence)."""
    if task not in ("auto", "binary", "multiclass", "regression"):
        raise typer.BadParameter("auto | binary | multiclass | regression", param_hint="--task")
    if threshold_direction not in ("above", "below"):
        raise typer.BadParameter("above | below", param_hint="--threshold-direction")
    from models.run_logger import take_early

    # MLflow takes longer to import than a 1M-row audit takes to compute: a helper process loads it meanwhile
    # (started by ``sandbox.__main__`` before the CLI loaded, or now)
    with take_early(experiment="fairness-audits") if not dry_run else contextlib.nullcontext() as recorder:
        _run(data=data, label=label, district=district, model=model, predictions=predictions, prediction=prediction,
             score=score, age=age, id_card=id_card, district_code=district_code, id_column=id_column, policy=policy,
             domain=domain, task=task, positive_label=positive_label, replicates=replicates, seed=seed,
             what_if=what_if, dry_run=dry_run, out=out, engine=engine, as_user=as_user, password=password,
             as_json=as_json, recorder=recorder, threshold=threshold, threshold_direction=threshold_direction,
             score_order=score_order, merge=merge, merge_variants=merge_variants, partial_labels=partial_labels)


def _run(*, data: str, label: str, district: str, model: str | None, predictions: str | None,
         prediction: str | None, score: str | None, age: str | None, id_card: str | None, district_code: str | None,
         id_column: str | None, policy: str | None, domain: str | None, task: str, positive_label: str | None,
         replicates: int | None, seed: int | None, what_if: bool, dry_run: bool, out: Path | None,
         engine: str | None, as_user: str | None, password: str | None, as_json: bool, recorder: object,
         threshold: str | None, threshold_direction: str, score_order: str | None, merge: list[str] | None,
         merge_variants: bool, partial_labels: bool) -> None:
    from audits import ColumnMap, run_audit
    from audits.report import ERR_OUT_SUFFIX
    from sandbox.engines import resolve_engine, stderr_progress
    from sandbox.errors import InputError

    chosen_engine = resolve_engine(engine)

    if out is not None and out.suffix.lower() not in (".json", ".csv", ".html", ".htm", ".pdf"):
        raise InputError(ERR_OUT_SUFFIX, file=out.name)
    actor = acting_user(as_user, password)
    columns = ColumnMap(label=label, district=district, prediction=prediction, score=score, age=age,
                        id_card=id_card, district_code=district_code, id=id_column)
    result = run_audit(actor=actor, data=data, predictions=predictions, model=model, columns=columns,
                       policy=policy, domain=domain, task=task, positive_label=positive_label,  # type: ignore[arg-type]
                       replicates=replicates, seed=seed, what_if=what_if, record=not dry_run,
                       engine=chosen_engine, recorder=recorder,
                       threshold=threshold, threshold_direction=threshold_direction,  # type: ignore[arg-type]
                       threshold_source="reviewer" if threshold is not None else None, score_order=score_order,
                       district_merges=merge, merge_variants=merge_variants, partial_labels=partial_labels,
                       spark_progress=stderr_progress("spark") if chosen_engine == "spark" else None)
    if result.get("isolation") == "weak":
        say("models.weak_isolation")
    _labelling(result)
    if out is not None:
        from audits.report import write_report

        write_report(result, out)
    emit(result, as_json=as_json, human=lambda: _human(result, out))
    raise typer.Exit(EXIT_BY_VERDICT[result["verdict"]])


def _human(result: dict, out: Path | None) -> None:  # type: ignore[type-arg]
    from audits.report import metric_label
    from sandbox.i18n import current_language, t

    language = current_language()
    s = result["summary"]
    typer.echo(t("audits.cli.verdict", verdict=t(f"audits.verdict.{result['verdict']}"),
                 audit_id=result["audit_id"] or "-", policy=result["policy"]["label"]))
    typer.echo(t("audits.report.summary", total=sum(s.values()), passed=s["pass"], failed=s["fail"],
                 insufficient=s["insufficient"]))
    from audits.report import score_lines

    for line in score_lines(result, language):
        typer.echo(line)
    from audits.report import small_group_lines

    for line in small_group_lines(result, language):
        typer.echo(line)
    for c in [c for c in result["checks"] if c["verdict"] == "fail"][:15]:
        kind = t(f"audits.kind.{c['kind']}", threshold=c["threshold"])
        check = f"{metric_label(c['metric'], language)} · {kind}"
        typer.echo(t("audits.cli.fail_line", group=c["group"], check=check, disparity=f"{c['disparity']:.3f}",
                     low=f"{c['ci_low']:.3f}", high=f"{c['ci_high']:.3f}", threshold=c["threshold"]))
    if out is not None:
        say("audits.cli.written", path=str(out))


@audit_app.command("list")
@cli_command
def list_(
    model: Annotated[str | None, Col("--model", help="NAME or NAME/VERSION")] = None,
    as_user: AsUser = None,
    password: Password = None,
    as_json: JsonFlag = False,
) -> None:
    """列出审计 / list audits (vendors: their own models only)."""
    from audits import list_audits

    actor = acting_user(as_user, password)
    name, _, version = (model or "").partition("/")
    rows = list_audits(actor=actor, model_name=name or None, model_version=version or None)

    def human() -> None:
        for r in rows:
            typer.echo(f"{r['audit_id']:>4}  {r['created_at']}  {r['verdict']:<12} {r['policy']:<16} "
                       f"{r['model_name'] or '-'}/{r['model_version'] or '-'}  {r['data_file']}")

    emit(rows, as_json=as_json, human=human)


@audit_app.command("show")
@cli_command
def show(
    audit_id: Annotated[int, typer.Argument(help="audit id")],
    out: Annotated[Path | None, Col("--out", help="report file: .json .csv .html .pdf")] = None,
    as_user: AsUser = None,
    password: Password = None,
    as_json: JsonFlag = False,
) -> None:
    """查看审计 / show one audit (optionally write its report)."""
    from audits import show_audit

    actor = acting_user(as_user, password)
    result = show_audit(actor=actor, audit_id=audit_id)
    if out is not None:
        from audits.report import write_report

        write_report(result, out)
    _labelling(result)
    emit(result, as_json=as_json, human=lambda: _human(result, out))


def _labelling(result: dict) -> None:  # type: ignore[type-arg]
    """Columns converted, rows without a usable age/district, district labels merged and likely variants left:
    for the person, on stderr (also with --json)."""
    from audits.report import input_lines, variant_lines
    from sandbox.i18n import current_language

    for line in [*input_lines(result, current_language()), *variant_lines(result, current_language())]:
        typer.echo(line, err=True)


@audit_app.command("policies")
@cli_command(needs_home=False)
def policies(as_json: JsonFlag = False) -> None:
    """公平性策略 / the shipped fairness policies."""
    from audits.policy import list_policies

    rows = list_policies()
    emit(rows, as_json=as_json, human=lambda: [typer.echo(f"{r['name']:<10} {r['version']:<8} {r['title_zh']}")
                                               for r in rows])


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(audit_app, name="audit")
