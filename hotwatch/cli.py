"""The ``hotwatch`` command: a thin skin over the crawler, analysis, index and reports packages."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

import click

from analysis.analyse import AnalysisOptions
from analysis.incidents import IncidentFeatures, assign_incidents
from analysis.risk import LEVEL_NAMES, LEVELS
from analysis.tags.categories import CATEGORIES
from hotwatch import output
from hotwatch.config import CONFIG_FILENAME, Config, ConfigError, default_config_text, load_config
from hotwatch.local_files import INGEST_SUFFIXES, InputError, analyse_files, find_files
from index import SearchQuery, Store, StoreError, open_store
from index.records import SORT_ORDERS
from reports.exporters import EXPORTERS, export_items


def handle_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the packages' own errors into one-line ``Error: ...`` messages (exit 1)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ConfigError, StoreError, InputError) as error:
            raise click.ClickException(str(error)) from error

    return wrapper


class Context:
    def __init__(self, config_path: str | None, data_dir: str | None) -> None:
        self.config_path = config_path
        self.data_dir = data_dir
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path, data_dir=self.data_dir)
        return self._config

    def store(self) -> Store:
        return open_store(self.config.index, self.config.data_dir)


pass_context = click.make_pass_decorator(Context)


@click.group()
@click.version_option(package_name="hotwatch")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="HOTWATCH_CONFIG",
    help=f"Configuration file (default: ./{CONFIG_FILENAME} when present).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    envvar="HOTWATCH_DATA_DIR",
    help="Where the store lives (default: ./hotwatch-data).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log the crawler's own messages too.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, data_dir: str | None, verbose: bool) -> None:
    """hotwatch: find and search news about government-hotline service failures.

    \b
    Example:
        hotwatch demo
        hotwatch crawl --max-pages 50
        hotwatch search '12345 AND (骂 OR 辱骂)' --region 河南省
    """
    _configure_logging(verbose)
    ctx.obj = Context(config_path, data_dir)


@cli.command()
@click.argument("path", default=CONFIG_FILENAME, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter configuration.

    \b
    Example:
        hotwatch init && $EDITOR hotwatch.toml
    """
    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists (use --force to overwrite)")
    target.write_text(default_config_text(), encoding="utf-8")
    click.echo(f"wrote {target}")


@cli.group()
def plans() -> None:
    """Monitoring plans (监测方案)."""


@plans.command("check")
@pass_context
@handle_errors
def plans_check(context: Context) -> None:
    """Parse every plan's rule and report errors with their position.

    \b
    Example:
        hotwatch --config hotwatch.toml plans check
    """
    config = context.config
    for plan in config.plan_objects():
        click.echo(f"ok  {plan.name}: {plan.rule.source}")
    click.echo(f"{len(config.plans)} plan(s) valid")


@cli.command()
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

    \b
    Example:
        hotwatch crawl --source chinanews-society --max-pages 20
        hotwatch crawl --url https://news.example.com/society/index.html
    """
    from hotwatch.jobs import crawl_and_index, selected_sources

    sources = selected_sources(context.config, source_names, url)
    summaries, incidents_changed = crawl_and_index(
        context.config, sources, max_pages=max_pages, progress=not as_json
    )
    if as_json:
        output.echo_json(
            {"sources": [s.to_json() for s in summaries], "incidents_changed": incidents_changed}
        )
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
        for message in summary.messages[:5]:
            click.echo(f"{summary.name}: {message}", err=True)


@cli.command()
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
    from hotwatch.search import normalise_filters

    search_query = normalise_filters(
        SearchQuery(
            text=query,
            date_from=_day(date_from),
            date_to=_day(date_to),
            regions=regions,
            hotlines=hotlines,
            categories=categories,
            sources=sources,
            relevant_only=not search_all,
            sort=sort,
            limit=limit,
            offset=offset,  # type: ignore[arg-type]
        )
    )
    store = context.store()
    try:
        result = store.search(search_query)
    finally:
        store.close()
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
        click.echo(f"\n{doc.id}  {when}  {doc.source or ''}  负面 {doc.negativity:.2f}")
        click.echo(f"  {output.truncate(doc.title, 70)}")
        click.echo(f"  {output.highlight(hit.snippet, hit.highlights, color=color)}")
        click.echo(f"  {doc.url}")


@cli.command()
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
    store = context.store()
    try:
        doc = store.get(doc_id)
    finally:
        store.close()
    if as_json:
        output.echo_json(doc.to_json())
        return
    for key, value in doc.to_json().items():
        if key != "text":
            click.echo(f"{key:12} {value}")
    click.echo("\n" + doc.text)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@pass_context
@handle_errors
def stats(context: Context, as_json: bool) -> None:
    """Counts of stored documents, relevant documents and incidents.

    \b
    Example:
        hotwatch stats --json
    """
    store = context.store()
    try:
        numbers = store.stats()
    finally:
        store.close()
    if as_json:
        output.echo_json(numbers)
        return
    for key, value in numbers.items():
        click.echo(f"{key:15} {value}")


@cli.command()
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
    options = AnalysisOptions(plans=context.config.plan_objects())
    documents = list(analyse_files(paths, options))
    incident_ids = assign_incidents([_features(d) for d in documents])
    for document, incident_id in zip(documents, incident_ids, strict=True):
        record = _analysis_record(document, incident_id)
        if as_json:
            output.echo_json(record)
        else:
            click.echo(
                f"{'相关' if record['relevant'] else '无关'}  负面 {record['negativity']:.2f}  "
                f"{output.truncate(record['title'], 50)}  {record['path']}"
            )


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@pass_context
@handle_errors
def ingest(context: Context, paths: tuple[str, ...]) -> None:
    """Index local files: HTML pages, text files, or .jsonl of {url,title,text,published_at}.

    \b
    Example:
        hotwatch ingest exported-articles.jsonl
    """
    from hotwatch.jobs import ingest_files

    counts = ingest_files(context.config, find_files(paths, INGEST_SUFFIXES))
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))


@cli.command()
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
    from hotwatch.jobs import run_demo

    summaries, result = run_demo(context.config, limit=limit)
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
        click.echo(f"  负面 {doc.negativity:.2f}  {output.truncate(doc.title, 60)}  [{tags}]")
    click.echo(
        f"\nstore: {context.config.data_dir}; try: hotwatch --data-dir "
        f"{context.config.data_dir} search 12345"
    )


@cli.command("incidents")
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

    \b
    Example:
        hotwatch incidents --level red --level orange
    """
    store = context.store()
    try:
        records = store.list_incidents(levels=levels, limit=limit)
    finally:
        store.close()
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


@cli.command("incident")
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
    store = context.store()
    try:
        record = store.get_incident(incident_id)
        reports = store.search(
            SearchQuery(incident_id=incident_id, relevant_only=False, sort="time", limit=200)
        )
    finally:
        store.close()
    if as_json:
        output.echo_json({**record.to_json(), "reports": [h.to_json() for h in reports.hits]})
        return
    click.echo(record.title)
    click.echo(f"风险等级 {LEVEL_NAMES[record.level]} ({record.level}, score {record.score})")
    for reason in record.reasons:
        click.echo(f"  - {reason}")
    click.echo(f"首发 {record.first_outlet or ''} {_when(record.first_seen)}  {record.first_url}")
    click.echo(f"报道 {record.documents} 篇，来源 {record.sources} 个")
    for day, count in record.daily.items():
        click.echo(f"  {day}  {'█' * min(count, 50)} {count}")
    for hit in reports.hits:
        doc = hit.document
        click.echo(f"  {_when(doc.published_at)}  {output.truncate(doc.title, 50)}  {doc.url}")


def main() -> None:
    cli(prog_name="hotwatch")


def _features(document: Any) -> IncidentFeatures:
    article, analysis = document.article, document.analysis
    return IncidentFeatures(
        doc_id=document.url,
        title=article.title,
        text=article.text,
        published_at=article.published_at,
        regions=analysis.regions,
        hotlines=analysis.hotlines,
        categories=analysis.categories,
    )


def _analysis_record(document: Any, incident_id: str | None) -> dict[str, Any]:
    article, analysis = document.article, document.analysis
    return {
        "path": document.path,
        "url": document.url,
        "title": article.title,
        "text": article.text,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "author": article.author,
        "outlet": article.outlet,
        "relevant": analysis.relevant,
        "relevance": analysis.relevance,
        "negativity": analysis.negativity,
        "sentiment": analysis.sentiment,
        "hotlines": analysis.hotlines,
        "regions": analysis.regions,
        "categories": analysis.categories,
        "plans": analysis.plans,
        "reasons": analysis.reasons,
        "incident_id": incident_id if analysis.relevant else None,
    }


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "----"


def _day(value: Any) -> date | None:
    return value.date() if value else None


class _OneLineFormatter(logging.Formatter):
    """Messages without tracebacks: a failed download is news for the log, not a crash."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}: {record.exc_info[1]}"
        return message.splitlines()[0] if message else message


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s") if verbose else _OneLineFormatter())
    threshold = logging.INFO if verbose else logging.ERROR
    # Scrapy configures its own loggers at DEBUG; the handler keeps the chosen threshold.
    handler.addFilter(lambda r: r.name == "hotwatch.progress" or r.levelno >= threshold)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.ERROR)
    logging.getLogger("hotwatch.progress").setLevel(logging.INFO)


from hotwatch.report_commands import alerts, digest, report, run  # noqa: E402

for _command in (digest, alerts, report, run):
    cli.add_command(_command)

from hotwatch.web.command import serve  # noqa: E402

cli.add_command(serve)

from hotwatch.index_commands import index_group  # noqa: E402

cli.add_command(index_group)

from hotwatch.eval_command import eval_command  # noqa: E402

cli.add_command(eval_command)

from hotwatch.recrawl_command import recrawl_command  # noqa: E402
from hotwatch.trending_command import trending  # noqa: E402

cli.add_command(trending)
cli.add_command(recrawl_command)
