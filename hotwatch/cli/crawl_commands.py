"""``hotwatch crawl`` and ``hotwatch demo``: crawl sources and show what they stored."""

from __future__ import annotations

import click

from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context


@click.command()
@click.option(
    "--source", "source_names", multiple=True, help="Crawl only this source (repeatable)."
)
@click.option("--url", help="Crawl an ad-hoc start URL (list page, RSS feed or sitemap).")
@click.option(
    "--max-pages",
    type=click.IntRange(min=0),
    default=0,
    help="Stop each source after this many article pages.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_context
@handle_errors
def crawl(
    context: Context, source_names: tuple[str, ...], url: str | None, max_pages: int, as_json: bool
) -> None:
    """Crawl the configured sources, analyse and index what they publish.

    Every skipped page is listed with its reason (too large, not an HTML page,
    undecodable, no article found, robots.txt ...), in --json too, and each run keeps
    a log of its skips and failures in DATA_DIR/logs/crawl-YYYYmmdd-HHMMSS.jsonl.

    \b
    Example:
        hotwatch crawl --source chinanews-society --max-pages 20
        hotwatch crawl --url https://news.example.com/society/index.html
    """
    from hotwatch.api.crawl import skip_lines

    result = context.api.crawl(
        sources=source_names, url=url, max_pages=max_pages, progress=not as_json
    )
    summaries = result.sources
    if as_json:
        output.echo_json(result.to_json())
        return
    click.echo(
        output.table(
            [
                "source",
                "type",
                "fetched",
                "new",
                "updated",
                "relevant",
                "skipped",
                "fresh",
                "errors",
            ],
            [
                [
                    s.name,
                    s.type,
                    s.fetched,
                    s.new,
                    s.updated,
                    s.relevant,
                    s.skipped,
                    s.fresh,
                    s.errors,
                ]
                for s in summaries
            ],
        )
    )
    for summary in summaries:
        for line in skip_lines(summary):
            click.echo(line, err=True)
        for message in summary.messages[:5]:
            click.echo(f"{summary.name}: {message}", err=True)


@click.command()
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@pass_context
@handle_errors
def demo(context: Context, limit: int) -> None:
    """Serve a bundled sample news site on 127.0.0.1, crawl it, and show what was found.

    Works offline; stores into the data directory like a real crawl.

    \b
    Example:
        hotwatch --data-dir /tmp/hotwatch-demo demo
    """
    demo_run = context.api.demo(limit=limit)
    summaries, result = demo_run.sources, demo_run.found
    click.echo(
        output.table(
            ["source", "fetched", "new", "updated", "relevant", "skipped", "fresh", "errors"],
            [
                [s.name, s.fetched, s.new, s.updated, s.relevant, s.skipped, s.fresh, s.errors]
                for s in summaries
            ],
        )
    )
    click.echo(f"\n相关报道 {result.total} 篇（前 {len(result.hits)} 篇）：")
    for hit in result.hits:
        doc = hit.document
        tags = " ".join([*doc.hotlines, *doc.categories])
        label = output.band_label(doc.negativity)
        click.echo(f"  {label}  {output.truncate(doc.title, 60)}  [{tags}]")
    click.echo(
        f"\nstore: {demo_run.data_dir}; try: hotwatch --data-dir {demo_run.data_dir} search 12345"
    )
