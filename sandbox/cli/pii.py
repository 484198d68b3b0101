"""``sandbox pii scan FILE``: find personal information in a text or table file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sandbox.cli._common import EXIT_CHECK_FAILED, AsUser, JsonFlag, Password, acting_user, cli_command, emit

pii_app = typer.Typer(help="个人信息 / personal information", no_args_is_help=True)


@pii_app.command("scan")
@cli_command
def scan(
    file: Annotated[str, typer.Argument(help=".txt (one text per line) .csv .tsv .xlsx .parquet .jsonl (text field)")],
    column: Annotated[list[str] | None, typer.Option("--column", help="Only scan this column (repeatable).")] = None,
    entity: Annotated[list[str] | None, typer.Option("--entity", help="Only these entity types (repeatable).")] = None,
    out: Annotated[str | None, typer.Option("--out", help="Write the full JSON report to this file (spark: a new "
                                            "folder, a path or a hdfs:// s3a:// file:// URI).")] = None,
    unmask: Annotated[bool, typer.Option("--unmask", help="Show found values unmasked (default: masked).")] = False,
    fail_on_pii: Annotated[bool, typer.Option("--fail-on-pii", help="Exit 3 when anything is found.")] = False,
    engine: Annotated[str | None, typer.Option("--engine", help="pandas | spark (spark: FILE is a Parquet/CSV file "
                                               "or folder or a table; --out is a new folder for the findings)")] = None,
    as_user: AsUser = None,
    password: Password = None,
    as_json: JsonFlag = False,
) -> None:
    """扫描个人信息 / scan a file for personal information."""
    from privacy.scanning import scan_file
    from sandbox.engines import resolve_engine
    from sandbox.files import atomic_path
    from sandbox.i18n import current_language, t

    actor = acting_user(as_user, password)
    if resolve_engine(engine) == "spark":
        _scan_on_spark(file, actor=actor, columns=column, entities=entity, out=out, fail_on_pii=fail_on_pii,
                       as_json=as_json)
        return
    report = scan_file(Path(file), actor=actor, columns=column or None, entities=entity or None)
    # Millions of findings on a large table: the JSON is written finding by finding, never built whole.
    if out is not None:
        with atomic_path(Path(out)) as tmp, tmp.open("w", encoding="utf-8") as handle:
            report.write_json(handle, unmask=unmask)
            handle.write("\n")

    def human() -> None:
        if report.read_notes:  # title/footer rows skipped, header rows joined: what was not read as data
            typer.echo(t("read.notes.heading"), err=True)
            for note in report.read_notes:
                typer.echo(f"  - {note.get(current_language()) or note['zh']}", err=True)
        typer.echo(t("pii.cli.summary", file=report.file, rows=report.rows, count=len(report.findings)))
        for entity_type, count in report.entity_types.items():
            typer.echo(f"  {t(f'pii.entity.{entity_type}')} ({entity_type}): {count}")
        for summary in report.columns:
            if summary.has_pii:
                typer.echo(t("pii.cli.column", column=summary.column, kind=t(f"pii.kind.{summary.kind}"),
                             entity=summary.entity_type or "-", share=f"{summary.share:.1%}",
                             confidence=f"{summary.confidence:.2f}"))
        for finding in report.findings[:50]:
            where = ":".join(str(p) for p in (finding.row, finding.column) if p is not None)  # a header: no row
            shown = finding.text if unmask else finding.masked
            typer.echo(f"  [{where} {finding.start}-{finding.end}] {finding.entity_type} {shown} "
                       f"({finding.score:.2f}) {finding.explanation}")
        if len(report.findings) > 50:
            typer.echo(t("pii.cli.more", count=len(report.findings) - 50))
        if out is not None:
            typer.echo(t("pii.cli.written", path=str(out)))

    if as_json:
        report.write_json(sys.stdout, unmask=unmask)
        sys.stdout.write("\n")
    else:
        human()
    if fail_on_pii and report.has_pii:
        raise typer.Exit(EXIT_CHECK_FAILED)


def _scan_on_spark(source: str, *, actor: object, columns: list[str] | None, entities: list[str] | None,
                   out: str | None, fail_on_pii: bool, as_json: bool) -> None:
    """``--engine spark``: findings Parquet and a summary in the new folder ``--out``."""
    from privacy.large import scan_large
    from sandbox.engines import stderr_progress
    from sandbox.errors import InputError
    from sandbox.i18n import t

    if out is None:
        raise InputError("engines.errors.out_required", option="--out")
    report = scan_large(actor=actor, source=source, out=out, columns=columns or None,  # type: ignore[arg-type]
                        entities=entities or None, progress=stderr_progress("spark"))

    def human() -> None:
        typer.echo(t("pii.cli.summary", file=report["file"], rows=report["rows"], count=report["findings"]))
        for entity_type, count in report["entity_types"].items():
            typer.echo(f"  {t(f'pii.entity.{entity_type}')} ({entity_type}): {count}")
        for summary in report["columns"]:
            if summary["has_pii"]:
                typer.echo(t("pii.cli.column", column=summary["column"], kind=t(f"pii.kind.{summary['kind']}"),
                             entity=summary["entity_type"] or "-", share=f"{summary['share']:.1%}",
                             confidence=f"{summary['confidence']:.2f}"))
        typer.echo(t("pii.cli.written", path=report["findings_path"]))

    emit(report, as_json=as_json, human=human)
    if fail_on_pii and report["has_pii"]:
        raise typer.Exit(EXIT_CHECK_FAILED)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(pii_app, name="pii")
