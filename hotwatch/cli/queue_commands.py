"""``hotwatch worker`` and ``hotwatch queue status|clear``: the shared crawl frontier."""

from __future__ import annotations

import click

from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context


@click.command()
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel requests of this worker (default: Scrapy's 32).",
)
@click.option("--forever", is_flag=True, help="Keep waiting for new seeds when the queue is empty.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_context
@handle_errors
def worker(context: Context, concurrency: int | None, forever: bool, as_json: bool) -> None:
    """Crawl from the shared frontier ([queue] url or HOTWATCH_QUEUE_URL) into the store.

    Takes the requests that `hotwatch crawl` seeded, on any machine, until the frontier
    is empty (or for ever with --forever; SIGTERM stops it cleanly, exit 0). A worker
    that dies loses nothing: its requests come back to the queue after [queue]
    visibility_timeout seconds. [crawl] concurrency_per_domain and [queue] domain_delay
    hold across all workers. If Redis goes away, the worker stops with one error line
    (exit 1); what it fetched is stored and its unfinished requests stay queued.

    \b
    Example:
        HOTWATCH_QUEUE_URL=redis://10.0.0.5:6379/0 hotwatch worker --concurrency 16
        hotwatch worker --forever
    """
    result = context.api.worker(
        concurrency=concurrency or 0, forever=forever, progress=not as_json
    )
    if as_json:
        output.echo_json(result.to_json())
        return
    click.echo(
        output.table(
            ["source", "fetched", "new", "updated", "relevant", "fresh", "errors"],
            [
                [s.name, s.fetched, s.new, s.updated, s.relevant, s.fresh, s.errors]
                for s in result.sources
            ],
        )
    )


@click.group("queue")
def queue_group() -> None:
    """The shared crawl frontier on Redis ([queue] url or HOTWATCH_QUEUE_URL).

    \b
    Example:
        hotwatch queue status
    """


@queue_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@pass_context
@handle_errors
def queue_status(context: Context, as_json: bool) -> None:
    """Pending and in-flight requests per source, seen article URLs (Redis's estimate
    with the Bloom filter), and the workers (alive when heard from within three
    heartbeats) with their last error.

    \b
    Example:
        hotwatch queue status
        hotwatch queue status --json
    """
    status = context.api.queue_status()
    if as_json:
        output.echo_json(status.to_json())
        return
    click.echo(
        output.table(
            ["source", "pending", "in flight", "seen"],
            [
                [s.name, s.pending, s.in_flight, "?" if s.seen is None else s.seen]
                for s in status.sources
            ],
        )
    )
    click.echo("")
    click.echo(
        output.table(
            ["worker", "alive", "last seen", "fetched", "last error"],
            [
                [
                    w.worker,
                    "yes" if w.alive else "no",
                    f"{w.seen_seconds_ago:.0f} s ago",
                    w.fetched,
                    output.truncate(w.last_error, 60),
                ]
                for w in status.workers
            ],
        )
    )


@queue_group.command("clear")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
@handle_errors
def queue_clear(context: Context, yes: bool) -> None:
    """Forget every queued request, in-flight lease, seen URL, source and worker.

    \b
    Example:
        hotwatch queue clear
        hotwatch queue clear --yes
    """
    if not yes:
        click.confirm(f"Clear the crawl queue at {context.config.queue.url}?", abort=True)
    deleted = context.api.queue_clear()
    click.echo(f"cleared {deleted} key(s)")
