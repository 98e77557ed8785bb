"""``hotwatch index status|flush|reindex|copy``: a thin skin over the store backends.

Registered in ``hotwatch/cli/main.py`` with ``cli.add_command(index_group)``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import click

from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context
from index import BACKENDS, Store, StoreUnavailable, open_store
from index.copy import copy_store

progress_log = logging.getLogger("hotwatch.progress")


@click.group("index")
def index_group() -> None:
    """The search index: its state, the Elasticsearch spool, reindexing and copying."""


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
    store = context.store()
    try:
        report = store_status(store)
    finally:
        store.close()
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
    store = _elasticsearch_store(context, "flush")
    try:
        sent = store.flush_spool()
        left = store.spooled()
    finally:
        store.close()
    click.echo(f"flushed {sent} spooled document(s); {left} still spooled")


@index_group.command("reindex")
@pass_context
@handle_errors
def reindex_command(context: Context) -> None:
    """Rebuild the Elasticsearch index with the current mapping, then switch the alias.

    \b
    Example:
        hotwatch index reindex
    """
    store = _elasticsearch_store(context, "reindex")
    try:
        old, new = store.reindex()
    finally:
        store.close()
    click.echo(f"reindexed {old} -> {new}")


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
    """Copy every document and incident from one backend into the other.

    Both stores come from the same [index] options, with the backend overridden.
    Copying twice duplicates nothing.

    \b
    Example:
        hotwatch index copy --from sqlite --to elasticsearch
    """
    if source == target:
        raise click.UsageError(f"--from and --to are both {source}: nothing to copy")
    source_store = open_backend(context, source)
    try:
        target_store = open_backend(context, target)
        try:
            report = copy_store(
                source_store, target_store, batch_size=batch_size, progress=_log_progress
            )
        finally:
            target_store.close()
    finally:
        source_store.close()
    if as_json:
        output.echo_json(report.to_json())
        return
    counts = report.to_json()
    click.echo(
        f"copied {counts['documents']} document(s) and {counts['incidents']} incident(s) "
        f"{source} -> {target} (new {counts['new']}, updated {counts['updated']}, "
        f"unchanged {counts['unchanged']}); {target} now holds {counts['target_documents']}"
    )


def store_status(store: Store) -> dict[str, Any]:
    """What ``index status`` shows; an unreachable cluster is a status, not an error."""
    report: dict[str, Any] = {"backend": store.backend}
    try:
        report.update(store.stats())
    except StoreUnavailable as error:
        report["error"] = str(error)
    if store.backend == "elasticsearch":
        report["health"] = store.health()  # type: ignore[attr-defined]
        report["spooled"] = store.spooled()  # type: ignore[attr-defined]
    return report


def open_backend(context: Context, backend: str) -> Store:
    """The store of ``backend`` with the configuration's other [index] options."""
    options: Mapping[str, Any] = {**context.config.index, "backend": backend}
    if backend == "elasticsearch" and not options.get("urls"):
        raise click.ClickException(
            "the elasticsearch backend needs urls in [index] (or HOTWATCH_ES_URL)"
        )
    return open_store(options, context.config.data_dir)


def _elasticsearch_store(context: Context, command: str) -> Any:
    backend = context.config.index.get("backend", "sqlite")
    if backend != "elasticsearch":
        raise click.ClickException(
            f"index {command} needs the elasticsearch backend (this store is {backend})"
        )
    return context.store()


def _log_progress(copied: int, total: int) -> None:
    progress_log.info("copied %d of %d document(s)", copied, total)


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
