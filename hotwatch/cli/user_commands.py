"""``hotwatch users``: named users of the web page and the PR desk, with roles.

The user book lives with the store (``users.sqlite3`` beside a SQLite store, the
``<prefix>users`` index on Elasticsearch); whoever can run this owns the data, so it
needs no login.
"""

from __future__ import annotations

import sys

import click

from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context
from hotwatch.users import ROLES
from hotwatch.users.rules import ROLE_NAMES


def _password(password_stdin: bool) -> str:
    if password_stdin:
        raw = sys.stdin.buffer.readline()
        try:
            return raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            raise click.ClickException("the password on standard input is not UTF-8") from error
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("users")
def users_group() -> None:
    """Named users and roles: viewer (reads), analyst (changes incident handling),
    admin (also manages users). Once one user exists, every web page and API call
    needs a login or the user's API token, on loopback too; HOTWATCH_WEB_TOKEN still
    works as an admin credential. Users are kept with the store: on Elasticsearch
    every machine using the cluster sees the same users (a machine's own
    users.sqlite3 is moved there on first use). Admins also manage users on the web
    page's 用户管理 (/users).

    \b
    Example:
        hotwatch users add 王敏 --role analyst
        echo "$PASSWORD" | hotwatch users add ops --role admin --password-stdin
        hotwatch users token ops          # prints a new API token for scripts
        hotwatch users disable 王敏
    """


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
@handle_errors
def add_command(context: Context, name: str, role: str, password_stdin: bool) -> None:
    """Add a user with a password (asked twice, or one line on standard input).

    \b
    Example:
        hotwatch users add 王敏 --role analyst
        echo "$PASSWORD" | hotwatch users add ops --role admin --password-stdin
    """
    context.api.users.add(name, role, _password(password_stdin))
    click.echo(f"added {name} ({role})")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def list_command(context: Context, as_json: bool) -> None:
    """Every user with role, state and whether an API token is set.

    \b
    Example:
        hotwatch users list --json
    """
    users = context.api.users.list()
    if as_json:
        output.echo_json({"users": [
            {"name": u.name, "role": u.role, "disabled": u.disabled, "created_at": u.created_at,
             "has_token": u.has_token} for u in users
        ]})
        return
    if not users:
        click.echo("no users yet (the web page uses the access token or loopback)")
        return
    click.echo(output.table(
        ["name", "role", "state", "token", "created"],
        [[u.name, f"{u.role} {ROLE_NAMES[u.role]}", "disabled" if u.disabled else "active",
          "yes" if u.has_token else "", u.created_at] for u in users],
    ))


@users_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
@handle_errors
def passwd_command(context: Context, name: str, password_stdin: bool) -> None:
    """Set a new password; the user's web sessions end.

    \b
    Example:
        hotwatch users passwd 王敏
    """
    context.api.users.set_password(name, _password(password_stdin))
    click.echo(f"password changed for {name}; their sessions ended")


@users_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@pass_context
@handle_errors
def role_command(context: Context, name: str, role: str) -> None:
    """Change a user's role.

    \b
    Example:
        hotwatch users role 王敏 viewer
    """
    context.api.users.set_role(name, role)
    click.echo(f"{name} is now {role}")


@users_group.command("disable")
@click.argument("name")
@pass_context
@handle_errors
def disable_command(context: Context, name: str) -> None:
    """Disable a user: sessions end, the API token stops working, history keeps the name.

    \b
    Example:
        hotwatch users disable 王敏
    """
    context.api.users.disable(name)
    click.echo(f"disabled {name}")


@users_group.command("enable")
@click.argument("name")
@pass_context
@handle_errors
def enable_command(context: Context, name: str) -> None:
    """Enable a disabled user again.

    \b
    Example:
        hotwatch users enable 王敏
    """
    context.api.users.disable(name, False)
    click.echo(f"enabled {name}")


@users_group.command("remove")
@click.argument("name")
@pass_context
@handle_errors
def remove_command(context: Context, name: str) -> None:
    """Remove a user (the handling history keeps the name).

    \b
    Example:
        hotwatch users remove 王敏
    """
    context.api.users.remove(name)
    click.echo(f"removed {name}")


@users_group.command("token")
@click.argument("name")
@pass_context
@handle_errors
def token_command(context: Context, name: str) -> None:
    """Print a new API token for NAME (the previous one stops working).

    Scripts send it as "Authorization: Bearer <token>"; it carries NAME's role.

    \b
    Example:
        hotwatch users token ops
    """
    click.echo(context.api.users.new_token(name))
