"""``hotwatch init`` and ``hotwatch plans check``: the configuration file and its plans."""

from __future__ import annotations

from pathlib import Path

import click

from hotwatch.cli.context import Context, handle_errors, pass_context
from hotwatch.config import CONFIG_FILENAME, default_config_text


@click.command()
@click.argument("path", default=CONFIG_FILENAME, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter configuration.

    \b
    Example:
        hotwatch init && $EDITOR hotwatch.toml
    """
    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists (use --force to overwrite)")
    target.write_text(default_config_text(), encoding="utf-8")
    click.echo(f"wrote {target}")


@click.group()
def plans() -> None:
    """Monitoring plans (监测方案)."""


@plans.command("check")
@pass_context
@handle_errors
def plans_check(context: Context) -> None:
    """Parse every plan's rule and report errors with their position.

    \b
    Example:
        hotwatch --config hotwatch.toml plans check
    """
    config = context.config
    for plan in config.plan_objects():
        click.echo(f"ok  {plan.name}: {plan.rule.source}")
    click.echo(f"{len(config.plans)} plan(s) valid")

