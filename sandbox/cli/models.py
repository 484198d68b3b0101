"""``sandbox models …``: submit, list, show, score, transition, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sandbox.cli._common import EXIT_CHECK_FAILED, acting_command, cli_command, emit, say
from sandbox.roles import Actor

models_app = typer.Typer(help="模型登记 / model registry", no_args_is_help=True)

VersionRef = Annotated[str, typer.Argument(help="NAME/VERSION")]
IdColumn = Annotated[str | None, typer.Option("--id-column", help="id column of the predictions file / dataset")]


def _split(ref: str, *, need_version: bool) -> tuple[str, str | None]:
    from sandbox.errors import InputError

    name, _, version = ref.rpartition("/") if "/" in ref else (ref, "", "")
    if need_version and not version:
        raise InputError("models.cli_version_required", ref=ref)
    return name, version or None


def _brief(row: dict[str, Any]) -> str:
    aliases = f" @{','.join(row['aliases'])}" if row["aliases"] else ""
    return (f"{row['name']}/{row['version']:<4} {row['kind']:<11} {row['trial_status']:<24} "
            f"{row['service_domain']:<8} {row['vendor']}{aliases}")


def _alias_warnings(rows: list[dict[str, Any]]) -> bool:
    """Say (stderr) each MLflow alias that disagrees with the signed records, once; True when there is one."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        for problem in row.get("alias_problems") or []:
            seen.setdefault((problem["name"], problem["alias"]), problem)
        if row.get("alias_checked") is False and ("", "") not in seen:
            say("models.alias.unchecked", reason=row.get("alias_unchecked_reason") or "-")
            seen[("", "")] = {}
    for key, problem in seen.items():
        if key != ("", ""):
            say(problem["key"], **problem["params"])
    return any(key != ("", "") for key in seen)


@models_app.command("submit")
@acting_command
def submit(
    path: Annotated[Path, typer.Argument(help="MLflow model folder or .zip, .onnx, or predictions CSV/Excel/Parquet")],
    card: Annotated[Path, typer.Option("--card", help="model card (YAML/JSON)")],
    kind: Annotated[str | None, typer.Option("--kind", help="mlflow | onnx | predictions (default: from PATH)")] = None,
    id_column: IdColumn = None,
    *,
    actor: Actor,
    as_json: bool,
) -> None:
    """提交模型与模型卡 / submit a model version with its card."""
    from models.service import submit_model

    result = submit_model(actor=actor, artifact=path, card=card, kind=kind, id_column=id_column)
    if result.get("isolation") == "weak":
        say("models.weak_isolation")
    emit(result, as_json=as_json, human=lambda: (
        say("models.cli_submitted", name=result["name"], version=result["version"], trial_id=result["trial_id"],
            sha256=result["sha256"]),
        typer.echo(result["mlflow_url"]),
    ))


@models_app.command("card-template")
@cli_command(needs_home=False)
def card_template_command(
    out: Annotated[Path | None, typer.Option("--out", help="write the template to this file (default: print it)")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an existing --out file")] = False,
) -> None:
    """模型卡模板（中文字段名；--lang en：英文字段名）/ a commented model card template to fill in."""
    from models.card import card_template
    from sandbox.errors import InputError
    from sandbox.files import atomic_write_text
    from sandbox.i18n import current_language

    text = card_template(lang="en" if current_language() == "en" else "zh")
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists() and not force:
        raise InputError("models.template_exists", path=str(out))
    atomic_write_text(out, text)
    say("models.template_written", path=str(out))


@models_app.command("list")
@acting_command
def list_(
    domain: Annotated[str | None, typer.Option("--domain", help="service domain, e.g. 社会救助")] = None,
    status: Annotated[str | None, typer.Option("--status", help="trial status, e.g. in_trial")] = None,
    *,
    actor: Actor,
    as_json: bool,
) -> None:
    """列出模型版本 / list the model versions you may see."""
    from models.service import list_models

    rows = list_models(actor=actor, service_domain=domain, trial_status=status)

    def human() -> None:
        if not rows:
            say("models.cli_none")
        for row in rows:
            typer.echo(_brief(row))

    emit(rows, as_json=as_json, human=human)
    if _alias_warnings(rows):  # MLflow serves an alias the signed records do not back: a check failed
        raise typer.Exit(EXIT_CHECK_FAILED)


@models_app.command("show")
@acting_command
def show(
    ref: Annotated[str, typer.Argument(help="NAME or NAME/VERSION")],
    *,
    actor: Actor,
    as_json: bool,
) -> None:
    """显示模型版本、模型卡与试验记录 / show a version, its card and trial history."""
    import yaml

    from models.service import show_model

    name, version = _split(ref, need_version=False)
    data = show_model(actor=actor, name=name, version=version)

    def human() -> None:
        typer.echo(_brief(data))
        typer.echo(f"sha256 {data['sha256']}  trial {data['trial_id']}  run {data['run_id']}")
        typer.echo(data["mlflow_url"])
        typer.echo(yaml.safe_dump(data["card"], allow_unicode=True, sort_keys=False).rstrip())
        for event in data["events"]:
            typer.echo(f"{event['at']}  {event['from_status'] or '-'} → {event['to_status']}  "
                       f"{event['actor']}  {event['note']}")

    emit(data, as_json=as_json, human=human)
    if _alias_warnings([data]):
        raise typer.Exit(EXIT_CHECK_FAILED)


@models_app.command("score")
@acting_command
def score(
    ref: VersionRef,
    data: Annotated[Path, typer.Option("--data", help="audit dataset (CSV/Excel/Parquet)")],
    out: Annotated[Path | None, typer.Option("--out", help="write predictions here (.csv/.xlsx/.parquet)")] = None,
    id_column: IdColumn = None,
    *,
    actor: Actor,
    as_json: bool,
) -> None:
    """在隔离进程中批量评分 / batch-score a version on a dataset (isolated child process)."""
    from models.service import score_version
    from sandbox.files import atomic_path, write_table_safe

    name, version = _split(ref, need_version=True)
    frame = score_version(actor=actor, name=name, version=version, data=data, id_column=id_column)
    if frame.attrs.get("isolation") == "weak":
        say("models.weak_isolation")
    if out is not None:
        if out.suffix.lower() == ".parquet":
            with atomic_path(out) as tmp:
                frame.to_parquet(tmp, index=False)
        else:
            write_table_safe(frame, out)
    summary = {"name": name, "version": version, "rows": len(frame), "columns": list(frame.columns),
               "out": str(out) if out else None, **frame.attrs}
    emit(summary, as_json=as_json, human=lambda: say("models.cli_scored", rows=len(frame), path=out or frame.attrs["path"]))


@models_app.command("transition")
@acting_command
def transition(
    trial_id: Annotated[int, typer.Argument(help="trial id (see models show)")],
    status: Annotated[str, typer.Argument(help="in_trial | under_review | approved | … | terminated")],
    note: Annotated[str, typer.Option("--note")] = "",
    *,
    actor: Actor,
    as_json: bool,
) -> None:
    """变更试验状态 / move a trial to its next status."""
    from models.service import transition_trial

    result = transition_trial(actor=actor, trial_id=trial_id, to_status=status, note=note)
    emit(result, as_json=as_json, human=lambda: say("models.cli_transitioned", trial_id=trial_id,
                                                    from_status=result["from_status"], status=status))
    if _alias_warnings([result]):
        raise typer.Exit(EXIT_CHECK_FAILED)


@models_app.command("delete")
@acting_command
def delete(
    ref: VersionRef,
    reason: Annotated[str, typer.Option("--reason")] = "",
    *,
    actor: Actor,
    as_json: bool,
) -> None:
    """删除（软删除，仅管理员）/ soft-delete a version (admin only)."""
    from models.service import delete_version

    name, version = _split(ref, need_version=True)
    result = delete_version(actor=actor, name=name, version=version or "", reason=reason)
    emit(result, as_json=as_json, human=lambda: say("models.cli_deleted", name=name, version=version))


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(models_app, name="models")
