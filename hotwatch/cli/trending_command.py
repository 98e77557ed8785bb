"""``hotwatch trending``: a thin skin over ``Hotwatch.trending``.

Registered in ``hotwatch/cli/main.py`` with ``cli.add_command(...)``.
"""

from __future__ import annotations

import click

from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context
from reports.trending import WINDOWS, TrendingItem, TrendingReport


@click.command()
@click.option(
    "--window", type=click.Choice(list(WINDOWS)), default="24h", show_default=True,
    help="Current window, compared with the windows before it (7 days, or 4 windows).",
)
@click.option("--plan", help="Only documents matching this monitoring plan.")
@click.option("--top", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print {terms, incidents} as JSON.")
@pass_context
@handle_errors
def trending(context: Context, window: str, plan: str | None, top: int, as_json: bool) -> None:
    """Terms and incidents whose volume bursts against their own baseline.

    \b
    Example:
        hotwatch trending
        hotwatch trending --window 3d --plan xinxiang --top 5 --json
    """
    report = context.api.trending(window=window, plan=plan, top=top)
    if as_json:
        output.echo_json(report.to_json())
        return
    click.echo(format_report(report))


def format_report(report: TrendingReport) -> str:
    """Two tables (升温话题, 升温事件), each followed by the id and URL of every row's example."""
    heading = f"{report.documents} document(s) read, window {report.window}"
    parts = [heading, "", "升温话题 (terms)", _table(report.terms)]
    parts += ["", "升温事件 (incidents)", _table(report.incidents)]
    return "\n".join(parts)


def _table(items: list[TrendingItem]) -> str:
    if not items:
        return "(none)"
    rows = [
        [
            n,
            output.truncate(item.label, 36),
            f"{item.count:g}",
            f"{item.baseline:g}",
            f"x{item.growth:.1f}",
            f"{item.score:.1f}",
            item.first_seen.strftime("%Y-%m-%d %H:%M"),
            output.truncate(item.samples[0].title, 40) if item.samples else "",
        ]
        for n, item in enumerate(items, 1)
    ]
    headers = ["#", "term/incident", "count", "baseline", "growth", "score", "first seen", "e.g."]
    cited = [
        f"  #{n} {sample.id}  {sample.url}"
        for n, item in enumerate(items, 1)
        for sample in item.samples[:1]
    ]
    return "\n".join([output.table(headers, rows), *cited])
