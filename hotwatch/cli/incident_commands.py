"""``hotwatch incidents`` and ``hotwatch incident``: incidents by risk, and one in full."""

from __future__ import annotations

from typing import Any

import click

from analysis.risk import LEVEL_NAMES, LEVELS
from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context


@click.group("incidents", invoke_without_command=True)
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice(LEVELS),
    help="Only incidents at this risk level (repeatable).",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def incidents_command(context: Context, levels: tuple[str, ...], limit: int, as_json: bool) -> None:
    """List incidents by risk level (红 red > 橙 orange > 黄 yellow > 蓝 blue).

    Incidents are updated incrementally after every crawl or ingest; `hotwatch
    incidents rebuild` groups every stored document again from scratch.

    \b
    Example:
        hotwatch incidents --level red --level orange
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    records = context.api.incidents(levels=levels, limit=limit)
    if as_json:
        output.echo_json({"incidents": [r.to_json() for r in records]})
        return
    click.echo(
        output.table(
            [
                "id",
                "level",
                "title",
                "first source",
                "reports",
                "sources",
                "first seen",
                "last seen",
            ],
            [
                [
                    r.id,
                    LEVEL_NAMES[r.level],
                    output.truncate(r.title, 40),
                    r.first_outlet or "",
                    r.documents,
                    r.sources,
                    _when(r.first_seen),
                    _when(r.last_seen),
                ]
                for r in records
            ],
        )
    )


@click.command("incident")
@click.argument("incident_id")
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def incident_command(context: Context, incident_id: str, as_json: bool) -> None:
    """Show one incident: risk and its reasons, first source, daily spread, reports.

    \b
    Example:
        hotwatch incident inc-3f2a9c0d
    """
    detail = context.api.incident(incident_id)
    record = detail.record
    if as_json:
        output.echo_json(detail.to_json())
        return
    click.echo(record.title)
    click.echo(f"风险等级 {LEVEL_NAMES[record.level]} ({record.level}, score {record.score})")
    for reason in record.reasons:
        click.echo(f"  - {reason}")
    click.echo(f"首发 {record.first_outlet or ''} {_when(record.first_seen)}  {record.first_url}")
    click.echo(f"报道 {record.documents} 篇，来源 {record.sources} 个")
    for day, count in record.daily.items():
        click.echo(f"  {day}  {'█' * min(count, 50)} {count}")
    for hit in detail.reports.hits:
        doc = hit.document
        click.echo(f"  {_when(doc.published_at)}  {output.truncate(doc.title, 50)}  {doc.url}")


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "----"


@incidents_command.command("rebuild")
@pass_context
@handle_errors
def rebuild_command(context: Context) -> None:
    """Group every stored document into incidents again, oldest first, from scratch.

    The incremental update after each crawl gives the same incidents for documents
    that arrive in order of publication; a rebuild also re-places documents that
    were edited or back-filled since.

    \b
    Example:
        hotwatch incidents rebuild
    """
    count, changed = context.api.rebuild_incidents()
    click.echo(f"rebuilt {count} incident(s); {changed} document(s) changed incident")
