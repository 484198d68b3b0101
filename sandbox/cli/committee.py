"""``sandbox committee``: create the ethics committee of a real deployment, list it, record declared interests,
members joining and leaving."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sandbox.cli._common import acting_command, emit, say
from sandbox.i18n import t

committee_app = typer.Typer(help="伦理委员会 / ethics committees", no_args_is_help=True)

CommitteeOpt = Annotated[str | None, typer.Option("--committee", help="committee name (default: the first one)")]


def _flags(member: dict[str, Any]) -> str:
    flags = [t("committee.chair_flag")] if member["is_chair"] else []
    if not member["voting"]:
        flags.append(t("committee.non_voting_flag"))
    return f" [{', '.join(flags)}]" if flags else ""


@acting_command
def create_cmd(
    name: Annotated[str, typer.Argument(help="the committee's name, e.g. 市大数据局科技伦理委员会")],
    members: Annotated[Path, typer.Option("--members", help="YAML file listing the members (see README)")],
    *, actor: Any, as_json: bool,
) -> None:
    """创建伦理委员会（管理员）/ create an ethics committee from a members file (admin)."""
    from sandbox.review import create_committee, read_members

    result = create_committee(actor=actor, name=name, members=read_members(members))
    emit(result, as_json=as_json, human=lambda: say("committee.created", name=result["name"],
                                                    count=result["members"]))


@acting_command
def list_cmd(*, actor: Any, as_json: bool) -> None:
    """伦理委员会列表 / list the ethics committees."""
    from sandbox.review import list_committees

    rows = list_committees(actor=actor)

    def human() -> None:
        if not rows:
            say("committee.none")
        for row in rows:
            chair = next((m["username"] for m in row["members"] if m["is_chair"]), "-")
            typer.echo(t("committee.list_row", name=row["name"], count=len(row["members"]), chair=chair))

    emit(rows, as_json=as_json, human=human)


@acting_command
def show_cmd(committee: Annotated[str | None, typer.Argument(help="committee name (default: the first one)")] = None,
             *, actor: Any, as_json: bool) -> None:
    """委员会委员及其申明的利益关系 / a committee's members and their declared interests."""
    from sandbox.review import show_committee

    doc = show_committee(actor=actor, committee=committee)

    def human() -> None:
        typer.echo(doc["name"])
        for m in doc["members"]:
            typer.echo(f"  {m['username']:<12} {m['name']}  {m['category']} {m['sex']}  {m['affiliation']}{_flags(m)}")
            for interest in m["interests"]:
                typer.echo(f"      {t('committee.interest_prefix')}{interest}")
        if doc["changes"]:
            typer.echo(t("committee.changes_title"))
            for change in doc["changes"]:
                typer.echo(f"  {change_line(change)}")

    emit(doc, as_json=as_json, human=human)


@acting_command
def declare_cmd(
    interest: Annotated[str, typer.Argument(help="the interest, naming the organisation (e.g. 2025年为某公司提供咨询)")],
    username: Annotated[str | None, typer.Option("--member", help="another member (admin); default: yourself")] = None,
    committee: CommitteeOpt = None,
    *, actor: Any, as_json: bool,
) -> None:
    """申明利益冲突（本人或管理员代录）/ declare a conflict of interest (yourself, or an admin for a member)."""
    from sandbox.review import declare_interest

    result = declare_interest(actor=actor, username=username or actor.username, interest=interest,
                              committee=committee)
    def human() -> None:
        say("committee.interest_added" if result["added"] else "committee.interest_known",
            username=result["username"], committee=result["committee"])
        if result.get("recused_in"):  # open reviews of the vendor named: recused there from now on
            say("review.notice.recused_now", username=result["username"], records=", ".join(result["recused_in"]))

    emit(result, as_json=as_json, human=human)


@acting_command
def add_member_cmd(
    username: Annotated[str, typer.Argument(help="the member's account (role reviewer, or chair for --chair)")],
    category: Annotated[str, typer.Option("--category", help="科技 / 伦理 / 法律 / 其他")],
    sex: Annotated[str, typer.Option("--sex", help="男 / 女")],
    reason: Annotated[str, typer.Option("--reason", help="why: newly appointed, replaces …")],
    affiliation: Annotated[str, typer.Option("--affiliation", help="工作单位")] = "",
    name: Annotated[str, typer.Option("--name", help="name as printed on records (default: the account's)")] = "",
    chair: Annotated[bool, typer.Option("--chair", help="takes the chair's seat (none may be held)")] = False,
    non_voting: Annotated[bool, typer.Option("--non-voting", help="sits without a vote")] = False,
    committee: CommitteeOpt = None,
    *, actor: Any, as_json: bool,
) -> None:
    """增补委员（管理员；记入记录链）/ a member joins the committee (admin; an entry of the record chain)."""
    from sandbox.review import add_member

    member = {"username": username, "category": category, "sex": sex, "affiliation": affiliation, "name": name,
              "is_chair": chair, "voting": not non_voting}
    result = add_member(actor=actor, member=member, reason=reason, committee=committee)
    emit(result, as_json=as_json, human=lambda: (say(
        "committee.member_joined", username=result["username"], committee=result["committee"],
        count=result["members"], number=result["number"]), _head(result)))


@acting_command
def remove_member_cmd(
    username: Annotated[str, typer.Argument(help="the member who leaves")],
    reason: Annotated[str, typer.Option("--reason", help="why: term ended, moved to another post …")],
    committee: CommitteeOpt = None,
    *, actor: Any, as_json: bool,
) -> None:
    """委员退出（管理员；记入记录链）/ a member leaves the committee (admin; an entry of the record chain)."""
    from sandbox.review import remove_member

    result = remove_member(actor=actor, username=username, reason=reason, committee=committee)
    emit(result, as_json=as_json, human=lambda: (say(
        "committee.member_left", username=result["username"], committee=result["committee"],
        count=result["members"], number=result["number"]), _head(result)))


def _head(result: dict[str, Any]) -> None:
    """The record chain's new head: the change is its newest entry (publish it like any head)."""
    typer.echo(f"head {result['head']['seq']}:{result['head']['hash']}")


def change_line(change: dict[str, Any]) -> str:
    """One membership change as a line (CLI and page)."""
    return t("committee.change_row", number=change["number"], at=change["at"], username=change["username"],
             change=t(f"committee.change.{change['change']}"), by=change["by"], reason=change["reason"])


def register(app: typer.Typer) -> None:
    """Add ``sandbox committee …`` to the root app."""
    committee_app.command("create")(create_cmd)
    committee_app.command("list")(list_cmd)
    committee_app.command("show")(show_cmd)
    committee_app.command("declare-interest")(declare_cmd)
    committee_app.command("add-member")(add_member_cmd)
    committee_app.command("remove-member")(remove_member_cmd)
    app.add_typer(committee_app, name="committee")
