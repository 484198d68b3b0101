"""CLI of the review area: ``sandbox review …`` and ``sandbox verify``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from sandbox.cli._common import EXIT_CHECK_FAILED, AsUser, JsonFlag, Password, acting_user, cli_command, emit
from sandbox.errors import InputError
from sandbox.i18n import t

review_app = typer.Typer(help="伦理审查 / ethics review", no_args_is_help=True)

ReviewId = Annotated[int, typer.Argument(help="review id (sandbox review list)")]


def _pairs(text: str, field: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise InputError("review.bad_choice", field=field, value=part, choices="name=value,…")
        out[key.strip()] = int(value) if value.strip().lstrip("-").isdigit() else value.strip()
    return out


@review_app.command("list")
@cli_command
def list_cmd(status: Annotated[str | None, typer.Option("--status")] = None,
             as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """列出审查 / list reviews."""
    from sandbox.review import list_reviews

    rows = list_reviews(actor=acting_user(as_user, password), status=status)
    emit(rows, as_json=as_json, human=lambda: [typer.echo(
        f"{r['review_id']:>4} {r['record_no']}-v{r['version']} {r['status']:<8} {r['tier']:<3} {r['model']} "
        f"{r['decision'] or ''}") for r in rows])


@review_app.command("open")
@cli_command
def open_cmd(
    trial_id: Annotated[int, typer.Argument(help="trial id")],
    committee: Annotated[str | None, typer.Option("--committee")] = None,
    review_type: Annotated[str, typer.Option("--type", help="initial|amendment|follow-up|expert-rereview|emergency")] = "initial",
    procedure: Annotated[str, typer.Option("--procedure", help="general|simplified|emergency")] = "general",
    impact: Annotated[str, typer.Option("--impact", help="rights=2,reversibility=1,scale=2,autonomy=1,data_sensitivity=2,vulnerable=3,mitigation=1")] = "",
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """开启审查 / open a review for a trial."""
    from sandbox.review import open_review

    result = open_review(actor=acting_user(as_user, password), trial_id=trial_id, committee=committee,
                         review_type=review_type, procedure=procedure, questionnaire=_pairs(impact, "--impact"))
    emit(result, as_json=as_json, human=t("review.cli.opened", review_id=result["review_id"],
                                          record_no=result["record_no"], tier=result["tier"],
                                          recusals=", ".join(result["recusals"]) or "-"))


@review_app.command("attend")
@cli_command
def attend_cmd(review_id: ReviewId, present: Annotated[str, typer.Option("--present", help="user1,user2,…")],
               as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """登记出席并核验法定人数 / record attendance (quorum check)."""
    from sandbox.review import record_attendance

    result = record_attendance(actor=acting_user(as_user, password), review_id=review_id,
                               present=[p.strip() for p in present.split(",") if p.strip()])
    emit(result, as_json=as_json, human=t("review.cli.attended", voting=result["voting_present"],
                                          categories=", ".join(result["categories"])))


@review_app.command("answer")
@cli_command
def answer_cmd(review_id: ReviewId, item: Annotated[str, typer.Argument(help="C01…C20")],
               answer: Annotated[str, typer.Argument(help="yes|no|n.a.")],
               explanation: Annotated[str, typer.Option("--explanation")] = "",
               evidence: Annotated[str, typer.Option("--evidence")] = "",
               as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """回答清单项 / answer a checklist item (confirm or override a ★ pre-fill)."""
    from sandbox.review import answer_item

    result = answer_item(actor=acting_user(as_user, password), review_id=review_id, item=item, answer=answer,
                         explanation=explanation, evidence=evidence)
    emit(result, as_json=as_json, human=t("review.cli.answered", item=item, answer=result["answer"],
                                          source=result["source"]))


@review_app.command("show")
@cli_command
def show_cmd(review_id: ReviewId, as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """查看审查 / show a review."""
    from sandbox.review import show_review

    data = show_review(actor=acting_user(as_user, password), review_id=review_id)

    def human() -> None:
        st = data["state"]
        typer.echo(t("review.cli.show_head", record=f"{data['record_no']}-v{data['version']}",
                     status=t(f"review.status.{data['status']}"), model=st["model"]["name"],
                     version=st["model"]["version"], vendor=st["model"]["vendor_name"], tier=st["risk"]["tier"]))
        for item, a in st["checklist"].items():
            typer.echo(f"  {item} {a.get('answer') or '—':<5} {a.get('source', '')} {a.get('explanation', '')}")
        for notice in data.get("notices") or []:
            typer.echo(t(notice["key"], **notice["params"]))
        for rec in data["records"]:
            typer.echo(t("review.cli.show_record", record=rec["record_id"], decision=rec["decision"],
                         hash=rec["record_hash"][:16],
                         signatures=", ".join(s["signer"] + ":" + s["meaning"] for s in rec["signatures"]) or "-"))

    emit(data, as_json=as_json, human=human)


@review_app.command("vote")
@cli_command
def vote_cmd(
    review_id: ReviewId,
    choice: Annotated[str, typer.Argument(help="批准|修改后批准|修改后再审|不予批准|暂停|终止|abstain")],
    signing_password: Annotated[str | None, typer.Option(
        "--signing-password", help="password that unlocks your signing key (default: --password / SANDBOX_PASSWORD)")] = None,
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """签名表决 / vote, signed with your key (your password unlocks it)."""
    from sandbox.review import vote

    actor = acting_user(as_user, password)
    secret = signing_password if signing_password is not None else (
        password if password is not None else os.environ.get("SANDBOX_PASSWORD", ""))
    result = vote(actor=actor, review_id=review_id, choice=choice, password=secret)
    emit(result, as_json=as_json, human=t("review.cli.voted", username=result["username"], choice=result["choice"],
                                          key=result["fingerprint"][:16],
                                          head=f"{result['head']['seq']}:{result['head']['hash']}"))


@review_app.command("decide")
@cli_command
def decide_cmd(
    review_id: ReviewId,
    decision: Annotated[str, typer.Argument(help="批准|修改后批准|修改后再审|不予批准|暂停|终止")],
    reasons: Annotated[str, typer.Option("--reasons")] = "",
    condition: Annotated[list[str] | None, typer.Option("--condition", help="text|owner|due, due as YYYY-MM-DD (repeat)")] = None,
    expert_result: Annotated[str | None, typer.Option("--expert-result", help="expert re-review result, e.g. 同意")] = None,
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """作出决定并生成记录 / decide and freeze the record."""
    from sandbox.review import decide, parse_conditions

    conditions = parse_conditions(condition or [])
    result = decide(actor=acting_user(as_user, password), review_id=review_id, decision=decision, reasons=reasons,
                    conditions=conditions, expert_rereview={"result": expert_result} if expert_result else None)
    emit(result, as_json=as_json, human=t("review.cli.decided", record=result["record_id"],
                                          decision=result["decision"], counts=result["counts"],
                                          head=f"{result['head']['seq']}:{result['head']['hash']}"))


@review_app.command("sign")
@cli_command
def sign_cmd(
    record_id: Annotated[str, typer.Argument(help="record id, e.g. ER-01-0001-v1")],
    meaning: Annotated[str, typer.Option("--meaning", help="reviewed|approved|acknowledged")] = "reviewed",
    signing_password: Annotated[str | None, typer.Option("--signing-password", help="your password, asked again to sign")] = None,
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """签署记录 / sign a record (asks for the password again)."""
    from sandbox.review import sign_record, trial_line

    actor = acting_user(as_user, password)
    if signing_password is None:  # asked again at every signature (prompt on stderr, --json stays clean)
        signing_password = typer.prompt("签署密码 / password to sign", hide_input=True, err=True)
    result = sign_record(actor=actor, record_id=record_id, password=signing_password,
                         meaning=meaning)
    trial = trial_line(result.get("trial"))
    emit(result, as_json=as_json, human=t("review.cli.signed", record=result["record_id"], signer=result["signer"],
                                          meaning=t(f"review.ui.meaning.{result['meaning']}"),
                                          key=result["fingerprint"][:16],
                                          head=f"{result['head']['seq']}:{result['head']['hash']}")
         + (f"\n{trial}" if trial else ""))


@review_app.command("export")
@cli_command
def export_cmd(
    record: Annotated[str, typer.Argument(help="record id (ER-…-vN) or review id")],
    fmt: Annotated[str, typer.Option("--format", help="pdf|md|json")] = "pdf",
    out: Annotated[Path | None, typer.Option("--out")] = None,
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """导出记录 / export a record as PDF, Markdown or JSON."""
    from sandbox.review import export_record, show_review

    actor = acting_user(as_user, password)
    if record.isdigit():
        record = show_review(actor=actor, review_id=int(record))["state"].get("record_id") or record
    target = out or Path(f"{record}.{fmt}")
    result = export_record(actor=actor, record_id=record, fmt=fmt, out=target)  # type: ignore[arg-type]
    emit(result, as_json=as_json, human=t("review.cli.exported", out=result["out"], bytes=result["bytes"]))


@review_app.command("head")
@cli_command
def head_cmd(out: Annotated[Path | None, typer.Option("--out", help="write the heads as JSON (to publish or keep)")] = None,
             as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """记录链链头（公布用）/ the record chains' heads, to publish."""
    from sandbox.files import atomic_write_text
    from sandbox.review import head_document
    from sandbox.review._crypto import canonical

    doc = head_document(actor=acting_user(as_user, password, required=False))
    if out is not None:
        atomic_write_text(out, canonical(doc, pretty=True))
    emit(doc, as_json=as_json, human=lambda: [typer.echo(f"{h['committee_name']}\t{h['text']}") for h in doc["heads"]])


condition_app = typer.Typer(help="附加条件跟踪 / condition follow-up", no_args_is_help=True)
ConditionId = Annotated[str, typer.Argument(help="RECORD/CONDITION, e.g. ER-01-0001-v1/K1")]


def _condition_line(c: dict) -> str:  # type: ignore[type-arg]

    late = f" · {c['days_overdue']}d overdue" if c.get("overdue") else ""
    status = c["status"]
    return (f"{c['condition']:<20} {t(f'review.condition.status.{status}'):<10} due {c['due']}{late} · "
            f"{c['owner']} · {c['text']}")


@condition_app.command("list")
@cli_command
def condition_list_cmd(record: Annotated[str | None, typer.Option("--record", help="only this record's conditions")] = None,
                       as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """列出条件及状态 / list conditions with status and history."""
    from sandbox.review import list_conditions

    rows = list_conditions(actor=acting_user(as_user, password), record_id=record)
    emit(rows, as_json=as_json, human=lambda: [typer.echo(_condition_line(c)) for c in rows])


@condition_app.command("submit")
@cli_command
def condition_submit_cmd(condition: ConditionId,
                         evidence: Annotated[str, typer.Option("--evidence", help="what was done")],
                         link: Annotated[str, typer.Option("--link", help="link to a file (optional)")] = "",
                         as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """供应商提交条件完成证据 / the vendor submits evidence for a condition."""
    from sandbox.review import submit_condition_evidence

    result = submit_condition_evidence(actor=acting_user(as_user, password), condition=condition, evidence=evidence,
                                       link=link)
    emit(result, as_json=as_json, human=t("review.ui.condition_done", condition=result["condition"],
                                          status=t(f"review.condition.status.{result['status']}")))


@condition_app.command("accept")
@cli_command
def condition_accept_cmd(condition: ConditionId, note: Annotated[str, typer.Option("--note")] = "",
                         as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """主任委员确认条件完成 / the chair accepts the evidence."""
    from sandbox.review import accept_condition

    result = accept_condition(actor=acting_user(as_user, password), condition=condition, note=note)
    emit(result, as_json=as_json, human=t("review.ui.condition_done", condition=result["condition"],
                                          status=t(f"review.condition.status.{result['status']}")))


@condition_app.command("reject")
@cli_command
def condition_reject_cmd(condition: ConditionId, note: Annotated[str, typer.Option("--note", help="why (required)")] = "",
                         as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """主任委员退回条件证据 / the chair rejects the evidence (the condition is open again)."""
    from sandbox.review import reject_condition

    result = reject_condition(actor=acting_user(as_user, password), condition=condition, note=note)
    emit(result, as_json=as_json, human=t("review.ui.condition_done", condition=result["condition"],
                                          status=t(f"review.condition.status.{result['status']}")))


@review_app.command("due")
@cli_command
def due_cmd(as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """到期事项：逾期条件、待确认证据、跟踪审查、暂停提示（有逾期时退出码 3）/ what is due (exit 3 when overdue)."""
    from sandbox.cli._common import say
    from sandbox.review import due_list

    due = due_list(actor=acting_user(as_user, password, required=False))

    def human() -> None:
        for c in due["overdue_conditions"] + due["awaiting_decision"]:
            typer.echo(_condition_line(c))
        for f in due["followups_due"]:
            typer.echo(f"{f['record_id']:<20} follow-up {f['next_review']} · {f['model']} · {f['vendor']}"
                       + (f" · {t('review.ui.followup_open')}" if f["review_open"] else ""))
        for c in due["suspension_flags"]:
            typer.echo(t("review.ui.suspension_flag", record=c["record_id"], condition=c["id"], days=c["days_overdue"],
                         grace=due["grace_days"]))
        if not due["overdue"] and not due["awaiting_decision"] and not due["followups_due"]:
            typer.echo(t("review.ui.due_nothing"))

    emit(due, as_json=as_json, human=human)
    if due["overdue"]:
        say("review.cli.due_overdue", conditions=len(due["overdue_conditions"]),
            followups=sum(1 for f in due["followups_due"] if f["overdue"]))
        raise typer.Exit(EXIT_CHECK_FAILED)


@cli_command
def verify_cmd(
    record_file: Annotated[Path | None, typer.Argument(
        help="exported record: .json (offline) or .md (against the database) (default: --all)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="every record chain in the database")] = False,
    expect_head: Annotated[list[str] | None, typer.Option(
        "--expect-head", help="published head: seq:hash, a hash, a head JSON or a record export (repeatable)")] = None,
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """核验记录（哈希链、哈希、签名、签名表决、已公布链头）/ verify records: chain, hashes, signatures, votes, heads."""
    from sandbox.review import parse_expected_head, verify_all, verify_message, verify_upload

    if record_file is not None and all_:
        raise typer.BadParameter("RECORD_FILE or --all, not both")
    if record_file is not None and expect_head:
        raise typer.BadParameter("--expect-head goes with --all (the database's chains)")
    expected = [h for value in expect_head or [] for h in parse_expected_head(value)]
    if record_file is not None:
        if not record_file.is_file():
            raise InputError("review.bad_choice", field="RECORD_FILE", value=str(record_file),
                             choices="an exported .json or .md")
        # a JSON export verifies offline; a Markdown copy is compared with the database's chain (who reads it)
        actor = acting_user(as_user, password, required=False) if record_file.suffix.lower() in (".md", ".markdown") \
            else None
        result = verify_upload(record_file.read_bytes(), name=record_file.name, actor=actor)
    else:
        result = verify_all(actor=acting_user(as_user, password, required=False), expect_heads=expected or None,
                            aliases=True)
    line = verify_message(result)
    emit(result, as_json=as_json, human=lambda: typer.echo(line, err=not result["ok"]))
    if not result["ok"]:
        raise typer.Exit(EXIT_CHECK_FAILED)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    review_app.add_typer(condition_app, name="condition")
    app.add_typer(review_app, name="review")
    app.command("verify")(verify_cmd)
