"""``hotwatch sources status``: what each source yielded in its last crawls, and its health."""

from __future__ import annotations

import click

from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context
from reports.formatting import SHANGHAI


@click.group("sources")
def sources_group() -> None:
    """Configured sources and their crawl health.

    \b
    Example:
        hotwatch sources status
    """


@sources_group.command("status")
@click.option("--runs", type=click.IntRange(min=1, max=100), default=5, show_default=True,
              help="Runs shown per source (--json).")
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def sources_status(context: Context, runs: int, as_json: bool) -> None:
    """Per source: the last run's yield (fetched, new, relevant, errors, blocked) and status.

    A source is 停止产出 (silent) when it yielded before and its last
    [alerts] source_silent_runs runs (default 3) found nothing, and 被屏蔽 (blocked) when
    its last run got HTTP 403/418/432, captcha or login answers; both alert through the
    alert channels.

    \b
    Example:
        hotwatch sources status
        hotwatch sources status --json --runs 10
    """
    health = context.api.sources_status(runs=runs)
    if as_json:
        output.echo_json({"sources": [h.to_json() for h in health]})
        return
    if not health:
        click.echo("no sources configured and no crawl recorded yet")
        return
    rows = []
    for item in health:
        last = item.last
        counts = ([last.fetched, last.new, last.relevant, last.errors, last.blocked]
                  if last else ["-"] * 5)
        at = last.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if last else "-"
        rows.append([item.source, at, *counts,
                     item.status, output.truncate(item.summary(), 40)])
    click.echo(output.table(
        ["source", "last run", "fetched", "new", "relevant", "errors", "blocked", "status",
         "note"], rows,
    ))
    problems = [h for h in health if h.problem]
    if problems:
        click.echo(f"{len(problems)} source(s) need attention: "
                   + ", ".join(f"{h.source} ({h.status})" for h in problems))
