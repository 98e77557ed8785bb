"""``hotwatch index status|flush|reindex|copy|reanalyse``: a thin skin over ``Hotwatch.index_*``.

Registered in ``hotwatch/cli/main.py`` with ``cli.add_command(index_group)``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

import click

from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context
from index import BACKENDS

progress_log = logging.getLogger("hotwatch.progress")


@click.group("index")
def index_group() -> None:
    """The search index: its state, the Elasticsearch spool, reindexing and copying.

    \b
    Example:
        hotwatch index status
        hotwatch index copy --from sqlite --to elasticsearch
    """


@index_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@pass_context
@handle_errors
def status_command(context: Context, as_json: bool) -> None:
    """Backend, document and incident counts, cluster health and spooled documents.

    \b
    Example:
        hotwatch index status --json
    """
    report = context.api.index.status().to_json()
    if as_json:
        output.echo_json(report)
        return
    for key, value in report.items():
        click.echo(f"{key:15} {_plain(value)}")


@index_group.command("flush")
@pass_context
@handle_errors
def flush_command(context: Context) -> None:
    """Send the documents spooled while Elasticsearch was unreachable.

    \b
    Example:
        hotwatch index flush
    """
    flushed = context.api.index.flush()
    click.echo(f"flushed {flushed.sent} spooled document(s); {flushed.spooled} still spooled")


@index_group.command("reindex")
@pass_context
@handle_errors
def reindex_command(context: Context) -> None:
    """Rebuild the search index from the stored documents.

    Elasticsearch: a new index with the current mapping, then the alias switched.
    SQLite: the tantivy index beside the database file (hotwatch.tantivy) emptied and
    written again, a chunk of documents at a time.

    \b
    Example:
        hotwatch index reindex
    """
    done = context.api.index.reindex()
    click.echo(f"reindexed {done.old} -> {done.new}")


@index_group.command("reanalyse")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_context
@handle_errors
def reanalyse_command(context: Context, as_json: bool) -> None:
    """Recompute relevance, damage, tags and plans of every stored document.

    Run it after upgrading hotwatch (a new judgement model) or changing plans: the
    stored text is analysed again and incidents are regrouped. Collected content is
    never changed.

    \b
    Example:
        hotwatch index reanalyse
    """
    total = int(context.api.stats().get("documents", 0))
    with click.progressbar(
        length=total, label="reanalysing", file=sys.stderr, hidden=as_json
    ) as bar:
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            bar.update(count - done)
            done = count

        result = context.api.index.reanalyse(progress=advance)
    if as_json:
        output.echo_json(result.to_json())
        return
    counts = result.to_json()
    click.echo(
        f"reanalysed {result.documents} document(s): relevance changed for "
        f"{counts['relevance_changed']}, damage for {counts['negativity_changed']}; "
        f"{result.incidents_changed} incident assignment(s) changed"
    )


@index_group.command("copy")
@click.option("--from", "source", required=True, type=click.Choice(BACKENDS), help="Copy from.")
@click.option("--to", "target", required=True, type=click.Choice(BACKENDS), help="Copy into.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the copy report as JSON.")
@pass_context
@handle_errors
def copy_command(
    context: Context, source: str, target: str, batch_size: int, as_json: bool
) -> None:
    """Copy every document, incident and user from one backend into the other.

    Both stores come from the same [index] options, with the backend overridden.
    Copying twice duplicates nothing. Users keep their roles, passwords and API
    tokens; a user name the target already has keeps the target's user; sessions
    are not copied (users sign in again).

    \b
    Example:
        hotwatch index copy --from sqlite --to elasticsearch
    """
    if source == target:
        raise click.UsageError(f"--from and --to are both {source}: nothing to copy")
    report = context.api.index.copy(
        source=source, target=target, batch_size=batch_size, progress=_log_progress
    )
    if as_json:
        output.echo_json(report.to_json())
        return
    counts = report.to_json()
    click.echo(
        f"copied {counts['documents']} document(s) and {counts['incidents']} incident(s) "
        f"{source} -> {target} (new {counts['new']}, updated {counts['updated']}, "
        f"unchanged {counts['unchanged']}); {target} now holds {counts['target_documents']}"
    )
    kept = counts["users_kept"]
    click.echo(
        f"copied {counts['users']} user(s)"
        + (f"; kept the {target} user(s) of the same name: {', '.join(kept)}" if kept else "")
    )


def _log_progress(copied: int, total: int) -> None:
    progress_log.info("copied %d of %d document(s)", copied, total)


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
