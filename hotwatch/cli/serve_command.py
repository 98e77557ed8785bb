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


SERVERS = ("waitress", "gunicorn", "werkzeug")


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
    "--server", "server_name", type=click.Choice(SERVERS), default="waitress",
    show_default=True,
    help="waitress (production: one process of threads, chosen by bench/web_load.py), "
    "gunicorn (production: worker processes, each with threads) or werkzeug (the "
    "development server; for debugging and comparison).",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True,
    help="gunicorn only: worker processes.",
)
@click.option(
    "--threads", type=click.IntRange(1, 256), default=8, show_default=True,
    help="Request threads (waitress: in all; gunicorn: per worker).",
)
@click.option(
    "--access-log", default="-", show_default=True,
    help="Where to write one line per request: '-' (standard output), a file, or '' (none).",
)
@click.pass_obj
def serve(
    context: Context, host: str, port: int, token: str | None, server_name: str,
    workers: int, threads: int, access_log: str,
) -> None:
    """Serve the web page (今日 / 检索 / 事件 / 待办) for PR staff.

    Runs under waitress (a production WSGI server: a pool of --threads; SIGTERM
    finishes the requests under way, then stops), with an access log; HTML and JSON
    are gzip-compressed, static files cached for a year. Once a user exists (hotwatch
    users add), every page needs a login and scripts send a user's API token as
    "Authorization: Bearer <token>".
    Listens on 127.0.0.1 unless told otherwise; any other address needs users or the
    shared access token (HOTWATCH_WEB_TOKEN or --token, at least 16 characters), which
    keeps working as an admin credential.

    \b
    Example:
        hotwatch serve
        HOTWATCH_WEB_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(24))') \\
            hotwatch serve --host 0.0.0.0 --port 8080 --threads 8
    """
    from hotwatch.users import UserError, open_user_book
    from hotwatch.web.app import create_app

    token = token or None
    config = context.config
    try:
        check_listen(host, token, open_user_book(config.index, config.data_dir).any_users())
    except (ListenError, UserError) as error:
        raise click.ClickException(str(error)) from error

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
    if server_name == "waitress":
        _serve_waitress(app, host, port, threads, access_log)
        return
    app.extensions["hotwatch_pool"].close()  # each gunicorn worker builds its own
    _serve_gunicorn(build, host, port, workers, threads, access_log or None)


def _serve_waitress(app: Any, host: str, port: int, threads: int, access_log: str) -> None:
    import sys

    from hotwatch.web.threaded import serve_threaded

    def announce(host: str, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"hotwatch: serving on http://{shown}:{port}/ (waitress, {threads} "
                   "threads; SIGTERM or Ctrl+C to stop)")
        sys.stdout.flush()

    try:
        log = sys.stdout if access_log == "-" else (
            open(access_log, "a", encoding="utf-8") if access_log else None  # noqa: SIM115
        )
    except OSError as error:
        raise click.ClickException(f"cannot open the access log {access_log}: {error}") from error
    try:
        serve_threaded(app, host, port, threads=threads, access_log=log, announce=announce)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from error
    finally:
        app.extensions["hotwatch_pool"].close()
        if log is not None and log is not sys.stdout:
            log.close()


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
