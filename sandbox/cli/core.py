"""Core commands: demo, users, whoami."""

from __future__ import annotations

from typing import Annotated

import typer

from sandbox.cli._common import AsUser, JsonFlag, Password, acting_user, cli_command, emit, say
from sandbox.i18n import t

users_app = typer.Typer(help="用户 / users", no_args_is_help=True)


@cli_command(needs_home=False)
def demo(
    reset: Annotated[bool, typer.Option("--reset", help="Delete and rebuild the demo world.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """生成演示环境 / build the demo world (deterministic)."""
    from sandbox.accounts import require_own_home
    from sandbox.demo import build_demo_world

    require_own_home()
    result = build_demo_world(reset=reset)
    emit(result, as_json=as_json, human=lambda: say(
        "cli.demo_built" if result["built"] else "cli.demo_exists", path=result["home"]
    ))


@cli_command
def whoami(as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """当前身份 / show the acting user."""
    actor = acting_user(as_user, password)
    data = {
        "username": actor.username,
        "display_name": actor.display_name,
        "role": actor.role,
        "vendor": actor.vendor_name,
    }
    emit(data, as_json=as_json, human=f"{actor.display_name} ({actor.username}) · {actor.role}"
         + (f" · {actor.vendor_name}" if actor.vendor_name else ""))


@users_app.command("list")
@cli_command
def users_list(as_user: AsUser = None, password: Password = None, as_json: JsonFlag = False) -> None:
    """列出用户 / list users."""
    from sandbox.users import list_users

    actor = acting_user(as_user, password)
    rows = list_users(actor)

    def human() -> None:
        for row in rows:
            typer.echo(f"{row['username']:<14} {row['role']:<9} {row['display_name']}"
                       + (f"  [{row['vendor']}]" if row["vendor"] else "")
                       + ("" if row["active"] else f"  ({t('accounts.status.disabled')})"))

    emit(rows, as_json=as_json, human=human)


@users_app.command("add")
@cli_command
def users_add(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Option("--role", help="vendor|reviewer|steward|chair|admin")],
    new_password: Annotated[str, typer.Option("--new-password", prompt=True, hide_input=True, help="password of the new user")],
    display_name: Annotated[str | None, typer.Option("--name")] = None,
    vendor: Annotated[str | None, typer.Option("--vendor")] = None,
    as_user: AsUser = None,
    password: Password = None,
    as_json: JsonFlag = False,
) -> None:
    """添加用户（管理员）/ add a user (admin)."""
    from sandbox.users import add_user

    actor = acting_user(as_user, password)
    created = add_user(
        username=username, password=new_password, role=role, display_name=display_name,
        vendor=vendor, actor=actor,
    )
    emit({"username": created.username, "role": created.role, "vendor": created.vendor_name},
         as_json=as_json, human=lambda: say("cli.user_added", username=created.username, role=created.role))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("whoami")(whoami)
    app.add_typer(users_app, name="users")
