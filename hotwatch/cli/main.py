"""The ``hotwatch`` command group: global options, logging, and every command group registered.

Each command lives in a module of its group (``hotwatch/cli/*_command(s).py``) and
imports ``hotwatch.cli.context``; this module imports them, and none of them imports it.
"""

from __future__ import annotations

import logging
import sys

import click

from hotwatch.cli.config_commands import init, plans
from hotwatch.cli.context import Context
from hotwatch.cli.crawl_commands import crawl, demo
from hotwatch.cli.doctor_command import doctor
from hotwatch.cli.document_commands import analyze, ingest, search, show, stats
from hotwatch.cli.eval_command import eval_command
from hotwatch.cli.incident_commands import incident_command, incidents_command
from hotwatch.cli.index_commands import index_group
from hotwatch.cli.labels_command import labels_group
from hotwatch.cli.queue_commands import queue_group, worker
from hotwatch.cli.recrawl_command import recrawl_command
from hotwatch.cli.report_commands import alerts, digest, report, run
from hotwatch.cli.serve_command import serve
from hotwatch.cli.sources_command import sources_group
from hotwatch.cli.trending_command import trending
from hotwatch.cli.user_commands import users_group
from hotwatch.config import CONFIG_FILENAME

COMMANDS: tuple[click.Command, ...] = (
    init,
    plans,
    crawl,
    search,
    show,
    stats,
    analyze,
    ingest,
    demo,
    incidents_command,
    incident_command,
    users_group,
    labels_group,
    digest,
    alerts,
    report,
    run,
    serve,
    index_group,
    eval_command,
    trending,
    recrawl_command,
    sources_group,
    doctor,
    worker,
    queue_group,
)


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


for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="hotwatch")


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
