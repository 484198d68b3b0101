"""Operations commands: ``sandbox init``, account changes under ``sandbox users``, backup and restore."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from sandbox.cli._common import (
    EXIT_CHECK_FAILED,
    AsUser,
    JsonFlag,
    Password,
    acting_command,
    acting_user,
    cli_command,
    emit,
    say,
)
from sandbox.cli.core import users_app
from sandbox.errors import InputError
from sandbox.i18n import t

Username = Annotated[str, typer.Argument(help="login name")]
NewPassword = Annotated[str, typer.Option("--new-password", prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="the new password (asked twice when not given)")]


def _new_password(username: str) -> str:
    """``SANDBOX_PASSWORD``; else asked twice without echo on a terminal, or two lines of piped stdin."""
    import sys

    import click

    secret = os.environ.get("SANDBOX_PASSWORD")
    if secret:
        return secret
    if sys.stdin.isatty():
        try:
            return click.prompt(t("accounts.password_prompt", username=username), hide_input=True,
                                confirmation_prompt=t("accounts.password_confirm"), err=True)
        except click.exceptions.Abort:
            raise InputError("accounts.password_needed", username=username) from None
    first, second = sys.stdin.readline().rstrip("\r\n"), sys.stdin.readline().rstrip("\r\n")
    if not first:
        raise InputError("accounts.password_needed", username=username)
    if first != second:
        raise InputError("accounts.password_mismatch")
    return first


@cli_command(needs_home=False)
def init_cmd(
    admin: Annotated[str, typer.Option("--admin", help="login name of the first administrator")],
    display_name: Annotated[str | None, typer.Option("--name", help="display name")] = None,
    owner: Annotated[str | None, typer.Option(
        "--owner", help="the account that runs the sandbox (root initialising a home for it)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """初始化空数据目录并创建首个管理员 / initialise an empty data home with its first administrator."""
    from sandbox.accounts import init_home, new_home_owner, require_first_run

    ids = new_home_owner(owner) if owner is not None else None
    require_first_run(owner_uid=ids[0] if ids else None)  # refuse before asking for a password
    result = init_home(admin=admin, password=_new_password(admin), display_name=display_name, owner=owner)

    def human() -> None:
        say("accounts.init_done", home=result["home"], admin=result["admin"])
        if result["owner"]:
            say("accounts.init_handed_over", home=result["home"], owner=result["owner"])

    emit(result, as_json=as_json, human=human)
    if result["root_owned"]:  # stderr, with --json too: a workbench run by another account could not open it
        say("accounts.init_root_owned", home=result["home"])


@acting_command
def disable_cmd(username: Username, *, actor: Any, as_json: bool) -> None:
    """停用账户（管理员）/ disable an account (admin)."""
    from sandbox.accounts import set_account_active

    result = set_account_active(actor=actor, username=username, active=False)
    emit(result, as_json=as_json, human=lambda: say(
        "accounts.disabled" if result["changed"] else "accounts.unchanged", username=username))


@acting_command
def enable_cmd(username: Username, *, actor: Any, as_json: bool) -> None:
    """启用账户（管理员）/ enable an account (admin)."""
    from sandbox.accounts import set_account_active

    result = set_account_active(actor=actor, username=username, active=True)
    emit(result, as_json=as_json, human=lambda: say(
        "accounts.enabled" if result["changed"] else "accounts.unchanged", username=username))


@acting_command
def reset_cmd(username: Username, new_password: NewPassword, *, actor: Any, as_json: bool) -> None:
    """重置密码并停用其签名密钥（管理员）/ reset a password and retire the signing key (admin)."""
    from sandbox.accounts import reset_password

    result = reset_password(actor=actor, username=username, new_password=new_password)
    emit(result, as_json=as_json, human=lambda: say(
        "accounts.password_reset", username=username, key=result["retired_key"] or t("accounts.no_key")))


@cli_command
def passwd_cmd(new_password: NewPassword, as_user: AsUser = None, password: Password = None,
               as_json: JsonFlag = False) -> None:
    """修改本人密码（--password 为当前密码）/ change your own password (--password is the current one)."""
    from sandbox.accounts import change_password

    actor, current = _acting(as_user, password)
    result = change_password(actor=actor, old_password=current, new_password=new_password)
    emit(result, as_json=as_json, human=lambda: say(
        "accounts.password_changed" if result["resealed"] else "accounts.password_changed_nokey",
        username=actor.username))


def _acting(as_user: str | None, password: str | None) -> tuple[Any, str]:
    """The acting user and the password they authenticated with (``--password`` or ``SANDBOX_PASSWORD``)."""
    actor = acting_user(as_user, password)
    return actor, password if password is not None else os.environ.get("SANDBOX_PASSWORD", "")


@cli_command
def rotate_cmd(
    username: Annotated[str | None, typer.Argument(help="another user (admin); default: yourself")] = None,
    note: Annotated[str, typer.Option("--note", help="why (kept in the key history)")] = "",
    as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False,
) -> None:
    """声明签名密钥泄露：停用并更换 / declare a signing key compromised: retire and replace it."""
    from sandbox.accounts import rotate_key

    actor, current = _acting(as_user, password)
    own = username in (None, actor.username)
    result = rotate_key(actor=actor, password=current if own else None, username=username, note=note)
    emit(result, as_json=as_json, human=lambda: say(
        "accounts.key_rotated", username=result["username"], old=result["retired"] or t("accounts.no_key"),
        new=result["fingerprint"] or t("accounts.no_key")))


@acting_command
def keys_cmd(
    username: Annotated[str | None, typer.Argument(help="whose keys (admin, chair); default: yours")] = None,
    *, actor: Any, as_json: bool,
) -> None:
    """签名密钥历史（含已停用）/ signing-key history, retired keys included."""
    from sandbox.accounts import signing_keys

    rows = signing_keys(actor=actor, username=username or actor.username)

    def human() -> None:
        for row in rows:
            status = t(f"accounts.key_status.{row['status']}")
            reason = t(f"accounts.key_reason.{row['reason']}") if row["reason"] else ""
            why = f" · {reason} {row['retired_at']:%Y-%m-%d %H:%M}" if reason else ""
            typer.echo(f"{row['username']:<12} {row['fingerprint'][:16]}  {status}{why}")

    emit(rows, as_json=as_json, human=human)


@cli_command
def backup_cmd(
    out: Annotated[Path, typer.Argument(help="the archive to write, e.g. backup-2027-01-31.tar.gz")],
    as_json: JsonFlag = False,
) -> None:
    """备份（可在工作台运行时进行）/ back up everything into one archive (while the workbench runs)."""
    from sandbox.backup import backup

    result = backup(out)

    def human() -> None:
        say("backup.done", archive=result["archive"], files=result["files"], mb=f"{result['bytes'] / 1e6:.1f}",
            committees=len(result["chain_heads"]))
        if result["vanished"]:  # removed by a process still working between the listing and the reading
            say("backup.vanished", count=len(result["vanished"]), files="\n  ".join(result["vanished"]))

    emit(result, as_json=as_json, human=human)


@cli_command(needs_home=False)
def restore_cmd(
    archive: Annotated[Path, typer.Argument(help="an archive written by sandbox backup")],
    owner: Annotated[str | None, typer.Option(
        "--owner", help="the account that runs the sandbox (root restoring a home that does not exist yet)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """恢复到空数据目录（可为另一路径）并核验 / restore into an empty data home (any path), then verify --all."""
    from sandbox.backup import restore
    from sandbox.review import verify_message

    result = restore(archive, owner=owner)

    def human() -> None:
        say("backup.restored", archive=result["archive"], home=result["home"], files=result["files"],
            created_at=result["created_at"])
        moved = result["relocated"]
        if moved:
            source, target = moved["moves"][0]
            say("backup.relocated", source=source, target=target, rows=sum(moved["changed"].values()),
                files=len(moved["files"]))
            if moved["history"]:
                say("backup.history_kept", source=source, rows=sum(moved["history"].values()),
                    tables=", ".join(sorted(moved["history"])))
        typer.echo(verify_message(result["verify"]), err=not result["verify"]["ok"])
        if result["heads_missing"]:
            say("backup.heads_missing", committees=", ".join(result["heads_missing"]))
        if result["owner"]:
            say("accounts.home_handed_over", home=result["home"], owner=result["owner"])

    emit(result, as_json=as_json, human=human)
    if not result["ok"]:
        raise typer.Exit(EXIT_CHECK_FAILED)


@cli_command
def upgrade_cmd(as_json: JsonFlag = False) -> None:
    """升级后迁移数据库与 MLflow 存储（先备份）/ after installing a new release: migrate both stores (MLflow's copied first)."""
    from models.registry import upgrade_mlflow_store

    result = {"mlflow": upgrade_mlflow_store()}  # the sandbox database was migrated on opening the home

    def human() -> None:
        done = result["mlflow"]
        if done is None:
            say("models.mlflow_store_current")
        else:
            say("models.mlflow_store_upgraded", store=done["store"], from_rev=done["from"], to_rev=done["to"],
                backup=done["backup"])

    emit(result, as_json=as_json, human=human)


vendors_app = typer.Typer(help="供应商 / vendor organisations", no_args_is_help=True)


@vendors_app.command("add")
@acting_command
def vendor_add_cmd(
    name: Annotated[str, typer.Argument(help="the organisation's registered name")],
    uscc: Annotated[str, typer.Option("--uscc", help="统一社会信用代码 (18 characters, check character verified)")],
    *, actor: Any, as_json: bool,
) -> None:
    """登记供应商（管理员）/ register a vendor organisation (admin)."""
    from sandbox.accounts import add_organisation

    result = add_organisation(actor=actor, name=name, uscc=uscc)
    emit(result, as_json=as_json, human=lambda: say("accounts.vendor_added", name=result["name"], uscc=result["uscc"]))


@vendors_app.command("list")
@acting_command
def vendor_list_cmd(*, actor: Any, as_json: bool) -> None:
    """列出供应商 / list vendor organisations."""
    from sandbox.roles import authorize
    from sandbox.users import list_vendors

    authorize(actor, "users.list")
    rows = list_vendors()
    emit(rows, as_json=as_json, human=lambda: [typer.echo(f"{r['uscc']}  {r['name']}") for r in rows])


def register(app: typer.Typer) -> None:
    """Add the operations commands to the root app (and to ``sandbox users``)."""
    app.command("init")(init_cmd)
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
    app.command("upgrade")(upgrade_cmd)
    app.add_typer(vendors_app, name="vendors")
    users_app.command("disable")(disable_cmd)
    users_app.command("enable")(enable_cmd)
    users_app.command("reset-password")(reset_cmd)
    users_app.command("passwd")(passwd_cmd)
    users_app.command("rotate-key")(rotate_cmd)
    users_app.command("keys")(keys_cmd)
