"""``hotwatch recrawl``: a thin skin over ``Hotwatch.recrawl``.

Registered in ``hotwatch/cli/main.py`` with ``cli.add_command(...)``.
"""

from __future__ import annotations

import click

from hotwatch.api import RecrawlResult
from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context

COLUMNS = ("source", "type", "queries", "results", "new", "updated", "relevant", "errors")


@click.command("recrawl")
@click.option("--topic", help='What to look for again, e.g. "新乡 12345 骂人".')
@click.option(
    "--trending", "use_trending", is_flag=True, help="Use the current top trending terms."
)
@click.option(
    "--top", type=click.IntRange(1, 50), default=5, show_default=True,
    help="How many trending terms (with --trending).",
)
@click.option(
    "--source", "source_names", multiple=True, help="Run only this search/weibo source."
)
@click.option(
    "--max-pages", type=click.IntRange(min=0), default=0,
    help="Stop each source after this many article pages.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_context
@handle_errors
def recrawl_command(
    context: Context,
    topic: str | None,
    use_trending: bool,
    top: int,
    source_names: tuple[str, ...],
    max_pages: int,
    as_json: bool,
) -> None:
    """Search a topic again and re-visit its stored reports for edits and responses.

    \b
    Example:
        hotwatch recrawl --topic "新乡 12345 骂人"
        hotwatch recrawl --trending --top 3 --max-pages 20
    """
    if topic is not None and use_trending:
        raise click.UsageError("use either --topic or --trending, not both")
    result = context.api.recrawl(
        topic,
        trending=use_trending,
        top=top,
        sources=source_names,
        max_pages=max_pages,
        progress=not as_json,
    )
    if as_json:
        output.echo_json(result.to_json())
        return
    click.echo(format_result(result))
    for row in result.rows:
        for message in row.messages[:5]:
            click.echo(f"{row.name}: {message}", err=True)


def format_result(result: RecrawlResult) -> str:
    rows = [
        [r.name, r.type, r.queries, r.results, r.new, r.updated, r.relevant, r.errors]
        for r in result.rows
    ]
    lines = [f"topics: {' | '.join(result.topics)}", output.table(COLUMNS, rows)]
    lines.append(
        f"re-visited {result.revisited} stored page(s); "
        f"{result.incidents_changed} document(s) changed incident"
    )
    return "\n".join(lines)
