"""``hotwatch init`` and ``hotwatch plans check``: the configuration file and its plans."""

from __future__ import annotations

import click

from hotwatch.api import write_config
from hotwatch.cli.context import Context, handle_errors, pass_context
from hotwatch.config import CONFIG_FILENAME


@click.command()
@click.argument("path", default=CONFIG_FILENAME, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handle_errors
def init(path: str, force: bool) -> None:
    """Write a commented starter configuration.

    \b
    Example:
        hotwatch init && $EDITOR hotwatch.toml
    """
    target = write_config(path, force=force)
    click.echo(f"wrote {target}")


@click.group()
def plans() -> None:
    """Monitoring plans (监测方案).

    \b
    Example:
        hotwatch plans check
    """


@plans.command("check")
@pass_context
@handle_errors
def plans_check(context: Context) -> None:
    """Parse every plan's rule and report errors with their position.

    \b
    Example:
        hotwatch --config hotwatch.toml plans check
    """
    plans = context.api.plans()
    for plan in plans:
        click.echo(f"ok  {plan.name}: {plan.rule.source}")
    click.echo(f"{len(plans)} plan(s) valid")
