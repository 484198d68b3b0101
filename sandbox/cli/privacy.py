"""Privacy-release commands: deid, risk, release histogram|package, budget show."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sandbox.cli._common import AsUser, JsonFlag, Password, acting_user, cli_command, emit, say

release_app = typer.Typer(help="数据发布（差分隐私）/ data release (differential privacy)", no_args_is_help=True)
budget_app = typer.Typer(help="隐私预算 / privacy budget ledger", no_args_is_help=True)

PolicyOpt = Annotated[str, typer.Option("--policy", help="policy name (default, anonymise) or YAML file")]


def _cols(text: str) -> list[str]:
    return [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]


def _actor(as_user: str | None, password: str | None):  # type: ignore[no-untyped-def]
    return acting_user(as_user, password)


def _counts(counts: dict[str, int] | None) -> str:
    from sandbox.i18n import t

    if counts is None:
        return t("privacy.deid.dropped")
    return ", ".join(f"{e}×{n}" for e, n in counts.items()) or t("privacy.deid.none_found")


def _say_read_notes(report: dict[str, Any]) -> None:
    """What the reader did to the file (title/footer rows skipped, header rows joined), in the user's language."""
    from sandbox.i18n import current_language, t

    notes = report.get("read_notes") or []
    if notes:
        typer.echo(t("read.notes.heading"), err=True)
        lang = current_language()
        for note in notes:
            typer.echo(f"  - {note.get(lang) or note['zh']}", err=True)


@cli_command
def deid(
    file: Annotated[str, typer.Argument(help="table to de-identify (.csv .tsv .txt .xlsx .xls .parquet .jsonl)")],
    out: Annotated[str, typer.Option("--out", help="output file ending .csv/.xlsx/.parquet (report NAME.deid.json "
                                     "beside it), else a folder; spark: always a folder, also a hdfs:// s3a:// "
                                     "file:// URI")],
    policy: PolicyOpt = "default",
    project: Annotated[str, typer.Option("--project", help="pseudonym key project")] = "default",
    engine: Annotated[str | None, typer.Option("--engine", help="pandas | spark (spark: FILE is a Parquet/CSV file "
                                               "or folder or a table; --out is a new folder, data as Parquet)")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an existing --out file (and its report)")] = False,
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """去标识化 / de-identify a table by content with a policy, then re-scan it (the result is still personal information)."""
    from sandbox.engines import resolve_engine
    from sandbox.i18n import t

    if resolve_engine(engine) == "spark":
        from privacy.large import deidentify_large
        from sandbox.engines import stderr_progress

        report = deidentify_large(actor=_actor(as_user, password), source=file, policy=policy, out=out,
                                  project=project, progress=stderr_progress("spark"))
    else:
        from privacy.deid import deidentify_file

        report = deidentify_file(actor=_actor(as_user, password), source=Path(file), policy=policy, out=Path(out),
                                 project=project, force=force)

    def human() -> None:
        _say_read_notes(report)
        if report.get("headers"):
            say("privacy.cli.deid_headers", before=_counts(report["headers"]))
        for column in report["columns"]:
            if column["before"] or column["rule"] == "column":
                say("privacy.cli.deid_column", column=column["column"], kind=t(f"pii.kind.{column['kind']}"),
                    rule=t(f"privacy.rule.{column['rule']}"), operator=column["operator"],
                    before=_counts(column["before"]), after=_counts(column["after"]))
        say("privacy.cli.deid_done", rows=report["rows_out"], path=report["output"], policy=report["policy"],
            suppressed=report["suppressed_rows"], before=_counts(report["pii_before"]),
            after=_counts(report["pii_after"]))

    emit(report, as_json=as_json, human=human)


@cli_command
def risk(
    file: Annotated[Path, typer.Argument(help="table to assess")],
    quasi: Annotated[str, typer.Option("--quasi", help="quasi-identifiers, comma separated (年龄,性别,街道镇)")],
    sensitive: Annotated[str | None, typer.Option("--sensitive", help="sensitive attribute for ℓ-diversity")] = None,
    k: Annotated[int | None, typer.Option("--k", help="target k (default: policy)")] = None,
    policy: PolicyOpt = "default",
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """重识别风险 / k-anonymity, ℓ-diversity and prosecutor/journalist/marketer risk."""
    from privacy.risk import assess_risk

    report = assess_risk(actor=_actor(as_user, password), source=file, quasi=_cols(quasi),
                         sensitive=sensitive, k=k, policy=policy)

    def human() -> None:
        say("privacy.cli.risk_summary", n=report["n"], classes=report["classes"], k=report["k"],
            target=report["target_k"], prosecutor=f"{report['prosecutor_highest']:.3f}",
            average=f"{report['prosecutor_average']:.3f}", marketer=f"{report['marketer']:.3f}",
            at_risk=f"{report['records_at_risk']:.1%}")
        if report["sensitive"]:
            say("privacy.cli.l_summary", sensitive=report["sensitive"], l=report["l_distinct"],
                le=f"{report['l_entropy']:.2f}")
        for row in report["violating"][:10]:
            typer.echo("  k<target: " + ", ".join(f"{c}={v}" for c, v in row.items()))
        for s in report["suggestions"]:
            typer.echo(f"  → {s['levels']} (suppress {s['suppressed']}, k={s['k_after']})")

    emit(report, as_json=as_json, human=human)


@release_app.command("histogram")
@cli_command
def release_histogram(
    file: Annotated[str, typer.Argument(help="source records (spark: also a table or a hdfs:// s3a:// file:// URI)")],
    by: Annotated[str, typer.Option("--by", help="group columns, comma separated (街道镇,年龄)")],
    epsilon: Annotated[float, typer.Option("--epsilon", help="ε of this release (> 0)")],
    dataset: Annotated[str, typer.Option("--dataset", help="dataset name in the budget ledger")],
    keys: Annotated[Path | None, typer.Option("--keys", help="YAML/JSON: column → public values")] = None,
    keys_from_data: Annotated[bool, typer.Option("--keys-from-data", help="declare the data's values public")] = False,
    policy: PolicyOpt = "default",
    out: Annotated[Path | None, typer.Option("--out", help="write the table (.csv/.xlsx)")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="pandas | spark (default: SANDBOX_ENGINE or "
                                               "pandas); spark reads a Parquet/CSV file or folder or a table")] = None,
    new_population: Annotated[str | None, typer.Option(
        "--new-population", help="REASON: these are other people than a dataset they overlap (recorded)")] = None,
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """差分隐私直方图 / a DP histogram with 95% intervals, charged to the dataset's budget."""
    # privacy.release is light: pandas and diffprivlib load only after the input checks pass
    from privacy.release import release_histogram as service
    from sandbox.engines import resolve_engine, stderr_progress

    chosen = resolve_engine(engine)
    result = service(actor=_actor(as_user, password), source=file, by=_cols(by), epsilon=epsilon,
                     dataset=dataset, policy=policy, keys=keys, keys_from_data=keys_from_data, engine=chosen,
                     spark_progress=stderr_progress("spark") if chosen == "spark" else None,
                     population_reason=new_population)
    table = result.pop("table")
    if out is not None:
        from sandbox.files import write_table_safe

        write_table_safe(table.table, out)

    def human() -> None:
        typer.echo(table.table.to_string(index=False))
        say("privacy.cli.histogram_done", epsilon=result["epsilon"], mechanism=result["mechanism"],
            cells=len(table.table), confidence=f"{result['confidence']:.0%}", dataset=result["dataset"],
            remaining=f"{result['epsilon_remaining']:g}")

    emit(result, as_json=as_json, human=human)


@release_app.command("package")
@cli_command
def release_package(
    file: Annotated[Path, typer.Argument(help="source records")],
    dataset: Annotated[str, typer.Option("--dataset", help="dataset name in the budget ledger")],
    policy: PolicyOpt = "default",
    by: Annotated[str | None, typer.Option("--by", help="also release a DP histogram over these columns")] = None,
    epsilon: Annotated[float | None, typer.Option("--epsilon", help="ε of the histogram")] = None,
    keys: Annotated[Path | None, typer.Option("--keys", help="YAML/JSON: column → public values")] = None,
    keys_from_data: Annotated[bool, typer.Option("--keys-from-data")] = False,
    trial: Annotated[int | None, typer.Option("--trial", help="trial id the release belongs to")] = None,
    new_population: Annotated[str | None, typer.Option(
        "--new-population", help="REASON: these are other people than a dataset they overlap (recorded)")] = None,
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """发布包 / de-identify, check risk, re-scan and package a release (zip + manifest)."""
    from privacy.release import create_release

    result = create_release(actor=_actor(as_user, password), source=file, dataset=dataset, policy=policy,
                            histogram_by=_cols(by) if by else None, epsilon=epsilon, keys=keys,
                            keys_from_data=keys_from_data, trial_id=trial, population_reason=new_population)
    emit(result, as_json=as_json, human=lambda: say(
        "privacy.cli.release_done", path=result["zip"], label=result["label"], k=result["k"],
        epsilon=result["epsilon"]))


@budget_app.command("show")
@cli_command
def budget_show(
    dataset: Annotated[str, typer.Argument(help="dataset name")],
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """隐私预算 / totals, spent, remaining and every spend (who, what, when)."""
    from privacy.ledger import budget_status

    status = budget_status(actor=_actor(as_user, password), dataset=dataset)

    def human() -> None:
        say("privacy.cli.budget_summary", dataset=status["dataset"], policy=status["policy"],
            total=f"{status['epsilon_total']:g}", spent=f"{status['epsilon_spent']:g}",
            remaining=f"{status['epsilon_remaining']:g}", dspent=f"{status['delta_spent']:g}",
            dtotal=f"{status['delta_total']:g}")
        for s in status["spends"]:
            typer.echo(f"  #{s['id']} {s['at']} {s['actor']} ({s['role']}) {s['query']} ε={s['epsilon']:g}"
                       + (f" scope={s['scope']}" if s["scope"] else ""))

    emit(status, as_json=as_json, human=human)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("deid")(deid)
    app.command("risk")(risk)
    app.add_typer(release_app, name="release")
    app.add_typer(budget_app, name="budget")
