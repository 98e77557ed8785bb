"""``hotwatch serve``: run the web page. Registered in ``hotwatch/cli/main.py``.

Flask loads only when the command runs, so other commands start without it.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from hotwatch.cli.context import Context, handle_errors
from hotwatch.web.listen import MIN_TOKEN_LENGTH, TOKEN_ENV, ListenError, check_listen

logger = logging.getLogger(__name__)


SERVERS = ("gunicorn", "werkzeug")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
    help="Port (0 picks a free one).",
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    show_envvar=True,
    help=f"Access token (at least {MIN_TOKEN_LENGTH} characters); required off loopback.",
)
@click.option(
    "--server", "server_name", type=click.Choice(SERVERS), default="gunicorn",
    show_default=True,
    help="gunicorn (production: worker processes with threads) or werkzeug "
    "(the development server, one process; for debugging and comparison).",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True,
    help="gunicorn worker processes (about one per core).",
)
@click.option(
    "--threads", type=click.IntRange(1, 64), default=4, show_default=True,
    help="Threads per gunicorn worker.",
)
@click.option(
    "--access-log", default="-", show_default=True,
    help="Where gunicorn writes one line per request ('-' for standard output, '' for none).",
)
@click.pass_obj
def serve(
    context: Context, host: str, port: int, token: str | None, server_name: str,
    workers: int, threads: int, access_log: str,
) -> None:
    """Serve the web page (今日 / 检索 / 事件 / 待办) for PR staff.

    Runs under gunicorn (worker processes, each with threads; SIGTERM finishes the
    requests under way, then stops; HTML and JSON are gzip-compressed, static files
    cached for a year). Listens on 127.0.0.1 unless told otherwise; any other address
    needs an access token (HOTWATCH_WEB_TOKEN or --token, at least 16 characters), which
    browsers enter on a login page and scripts send as "Authorization: Bearer <token>".

    \b
    Example:
        hotwatch serve
        HOTWATCH_WEB_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(24))') \\
            hotwatch serve --host 0.0.0.0 --port 8080 --workers 2 --threads 4
    """
    from hotwatch.web.app import create_app

    token = token or None
    try:
        check_listen(host, token)
    except ListenError as error:
        raise click.ClickException(str(error)) from error

    config = context.config

    @handle_errors
    def build() -> Any:
        app = create_app(config, token=token)
        # Open the store once now, so a bad configuration fails here, not on the first page.
        pool = app.extensions["hotwatch_pool"]
        pool.release(pool.acquire())
        return app

    app = build()
    if server_name == "werkzeug":
        _serve_werkzeug(app, host, port, token)
        return
    app.extensions["hotwatch_pool"].close()  # each gunicorn worker builds its own
    _serve_gunicorn(build, host, port, workers, threads, access_log or None)


def _serve_gunicorn(
    build: Any, host: str, port: int, workers: int, threads: int, access_log: str | None
) -> None:
    from hotwatch.web.production import ProductionServer, gunicorn_options

    _check_port(host, port)
    options = gunicorn_options(host, port, workers=workers, threads=threads, access_log=access_log)
    ProductionServer(build, options).run()


def _check_port(host: str, port: int) -> None:
    """gunicorn retries a busy port for seconds and then exits with a traceback-ish log;
    say it in one line before starting."""
    import socket

    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as error:
            raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from error


def _serve_werkzeug(app: Any, host: str, port: int, token: str | None) -> None:
    import signal
    import threading

    from werkzeug.serving import make_server

    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from error
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"hotwatch: serving on http://{shown}:{server.server_port}/ "
               "(werkzeug development server; Ctrl+C to stop)")
    if token:
        click.echo("access token required (login page or Authorization: Bearer)")
    # shutdown() waits for serve_forever to return, so it is called from another thread.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopping")
    finally:
        server.server_close()
        app.extensions["hotwatch_pool"].close()
