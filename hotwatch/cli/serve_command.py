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
@click.pass_obj
def serve(context: Context, host: str, port: int, token: str | None) -> None:
    """Serve the web page (今日 / 检索 / 事件) for PR staff.

    Listens on 127.0.0.1 unless told otherwise; any other address needs an access
    token (HOTWATCH_WEB_TOKEN or --token, at least 16 characters), which browsers
    enter on a login page and scripts send as "Authorization: Bearer <token>".

    \b
    Example:
        hotwatch serve
        HOTWATCH_WEB_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(24))') \\
            hotwatch serve --host 0.0.0.0 --port 8080
    """
    from werkzeug.serving import make_server

    from hotwatch.web.app import create_app

    token = token or None
    try:
        check_listen(host, token)
    except ListenError as error:
        raise click.ClickException(str(error)) from error

    @handle_errors
    def build() -> Any:
        config = context.config
        app = create_app(config, token=token)
        # Open the store once now, so a bad configuration fails here, not on the first page.
        pool = app.extensions["hotwatch_pool"]
        pool.release(pool.acquire())
        return app

    app = build()
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from error
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"hotwatch: serving on http://{shown}:{server.server_port}/ (Ctrl+C to stop)")
    if token:
        click.echo("access token required (login page or Authorization: Bearer)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopping")
    finally:
        server.server_close()
        app.extensions["hotwatch_pool"].close()
