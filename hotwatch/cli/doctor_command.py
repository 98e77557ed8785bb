"""``hotwatch doctor``: check a store after a crash, and mend its derived state."""

from __future__ import annotations

import sys

import click

from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context


@click.command("doctor")
@click.option("--repair", is_flag=True,
              help="Mend what was found (reindex, place, recount, replay, resend), then check "
                   "again. Never deletes a collected document.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def doctor(context: Context, repair: bool, as_json: bool) -> None:
    """Check the store for what a crash can leave behind; exit 1 when something is wrong.

    Finds documents missing from the search index or indexed twice, documents
    awaiting or lacking their incident, incidents whose members or counts
    disagree, documents in the Elasticsearch spool, index copies of an
    interrupted reindex, an SQLite schema not yet migrated, and emails or robot
    messages waiting in the outbox. Each finding shows a count and an example id.

    \b
    Example:
        hotwatch doctor
        hotwatch doctor --repair --json
    """
    def progress(stage: str, done: int) -> None:
        click.echo(f"doctor: {stage}: {done} checked", err=True)

    report = context.api.doctor(repair=repair, progress=progress)
    if as_json:
        output.echo_json(report.to_json())
    else:
        if not report.findings:
            click.echo(f"{report.backend} store: consistent, nothing waiting")
        for finding in report.findings:
            click.echo(finding.line())
        for action in report.repaired:
            click.echo(f"repaired: {action}")
        if repair and report.findings:
            click.echo("consistent now" if report.healthy else "still wrong:")
            for finding in report.remaining:
                click.echo(finding.line())
    if not report.healthy:
        sys.exit(1)
