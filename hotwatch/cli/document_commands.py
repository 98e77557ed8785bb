"""``hotwatch search``, ``show``, ``stats``, ``analyze``, ``ingest``: stored and local files."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from analysis.tags.categories import CATEGORIES
from hotwatch.cli import output
from hotwatch.cli.context import Context, handle_errors, pass_context
from index.records import SORT_ORDERS
from reports.exporters import EXPORTERS, export_items


@click.command()
@click.argument("query", default="")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="From this day.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Up to this day.")
@click.option("--region", "regions", multiple=True, help="Province, city or county (新乡, 河南省).")
@click.option(
    "--hotline", "hotlines", multiple=True, help="Hotline number or name (12345, 市长热线)."
)
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES))
@click.option("--source", "sources", multiple=True, help="Configured source name.")
@click.option(
    "--plan", "plans", multiple=True, help="Only documents in this monitoring plan (监测方案)."
)
@click.option(
    "--all",
    "search_all",
    is_flag=True,
    help="Search every stored document, not only relevant ones.",
)
@click.option("--sort", type=click.Choice(SORT_ORDERS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@click.option("--json", "as_json", is_flag=True, help="Print {total, hits} as JSON.")
@click.option(
    "--format",
    "export_format",
    type=click.Choice(sorted(EXPORTERS)),
    help="Export the hits (csv is UTF-8 with BOM for Excel; jsonl one per line).",
)
@pass_context
@handle_errors
def search(
    context: Context,
    query: str,
    date_from: Any,
    date_to: Any,
    regions: tuple[str, ...],
    hotlines: tuple[str, ...],
    categories: tuple[str, ...],
    sources: tuple[str, ...],
    plans: tuple[str, ...],
    search_all: bool,
    sort: str,
    limit: int,
    offset: int,
    as_json: bool,
    export_format: str | None,
) -> None:
    """Search stored documents: AND / OR / NOT, parentheses, "quoted phrases".

    \b
    Example:
        hotwatch search '(12345 OR 市长热线) AND 骂人' --from 2021-04-01 --region 新乡
    """
    result = context.api.search(
        query,
        date_from=_day(date_from),
        date_to=_day(date_to),
        regions=regions,
        hotlines=hotlines,
        categories=categories,
        sources=sources,
        plans=plans,
        search_all=search_all,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    if export_format:
        export_items(
            export_format, (h.to_json() for h in result.hits), click.get_binary_stream("stdout")
        )
        return
    if as_json:
        output.echo_json(result.to_json())
        return
    click.echo(f"{result.total} document(s)")
    color = sys.stdout.isatty()
    for hit in result.hits:
        doc = hit.document
        when = doc.published_at.strftime("%Y-%m-%d %H:%M") if doc.published_at else "----"
        click.echo(f"\n{doc.id}  {when}  {doc.source or ''}  {output.band_label(doc.negativity)}")
        click.echo(f"  {output.truncate(doc.title, 70)}")
        click.echo(f"  {output.highlight(hit.snippet, hit.highlights, color=color)}")
        click.echo(f"  {doc.url}")


@click.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def show(context: Context, doc_id: str, as_json: bool) -> None:
    """Show one stored document.

    \b
    Example:
        hotwatch show 3f2a9c0d1e4b5a67
    """
    doc = context.api.show(doc_id)
    cues = context.api.damage_cues(doc)
    if as_json:
        output.echo_json({**doc.to_json(), "damage_cues": [[cue, w] for cue, w in cues]})
        return
    for key, value in doc.to_json().items():
        if key != "text":
            click.echo(f"{key:12} {value}")
    click.echo("damage cues  " + ", ".join(f"{cue} {weight:+.2f}" for cue, weight in cues))
    click.echo("\n" + doc.text)


@click.command()
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def stats(context: Context, as_json: bool) -> None:
    """Counts of stored documents, relevant documents and incidents.

    \b
    Example:
        hotwatch stats --json
    """
    numbers = context.api.stats()
    if as_json:
        output.echo_json(numbers)
        return
    for key, value in numbers.items():
        click.echo(f"{key:15} {value}")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document per line.")
@pass_context
@handle_errors
def analyze(context: Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Analyse local .html/.htm/.txt files (or directories of them) without indexing.

    \b
    Example:
        hotwatch analyze saved-pages/ --json
    """
    for document in context.api.analyze(paths):
        record = document.to_json()
        if as_json:
            output.echo_json(record)
        else:
            click.echo(
                f"{'相关' if record['relevant'] else '无关'}  "
                f"{output.band_label(record['negativity'])}  "
                f"{output.truncate(record['title'], 50)}  {record['path']}"
            )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@pass_context
@handle_errors
def ingest(context: Context, paths: tuple[str, ...]) -> None:
    """Index local files: HTML pages, text files, or .jsonl of {url,title,text,published_at}.

    \b
    Example:
        hotwatch ingest exported-articles.jsonl
    """
    counts = context.api.ingest(paths).counts
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))


def _day(value: Any) -> date | None:
    return value.date() if value else None
