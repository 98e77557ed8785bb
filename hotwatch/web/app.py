"""The Flask application factory for ``hotwatch serve``."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_compress import Compress

from hotwatch.config import Config
from hotwatch.users import open_user_book
from hotwatch.web import (
    admin,
    api,
    auth,
    context,
    errors,
    handling,
    page_cache,
    present,
    security,
    views,
)
from hotwatch.web.context import USERS_KEY
from hotwatch.web.stores import StorePool
from index import Store, open_store

logger = logging.getLogger(__name__)


def create_app(config: Config, *, token: str | None = None) -> Flask:
    """The web app over the configured store; ``token`` (if any) guards every page.

    Nothing here opens a socket: serve it with ``hotwatch serve`` or any WSGI server,
    or test it with ``app.test_client()``.
    """
    app = Flask(__name__)
    app.config[context.CONFIG_KEY] = config
    app.config["HOTWATCH_TOKEN"] = token or None
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # only the login form posts
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    def opener() -> Store:
        return open_store(config.index, config.data_dir)

    app.extensions[context.POOL_KEY] = StorePool(opener)
    users = open_user_book(config.index, config.data_dir)
    app.extensions[USERS_KEY] = users
    security.install(app, token or None, users)
    present.register(app.jinja_env)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(handling.bp)
    app.register_blueprint(admin.bp)
    errors.register(app)
    app.teardown_request(context.release)
    _compress(app)
    _cache_static(app)
    page_cache.install(app, page_cache.PageCache())  # after compression: its hook runs first
    return app


def _compress(app: Flask) -> None:
    """gzip HTML and JSON (pages shrink about five-fold); streamed CSV stays streamed.

    Compressed pages that reflect the query beside a secret are what BREACH reads, so
    the CSRF token in each page is masked afresh (``security.csrf_token``).
    """
    app.config.update(
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_MIMETYPES=["text/html", "application/json"],
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=500,
        COMPRESS_STREAMS=False,
    )
    Compress(app)


def _cache_static(app: Flask) -> None:
    """Static files are cached for a year; their URLs carry a hash of the content
    (``?v=``), so a new release is fetched at once."""
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(days=365)
    folder = Path(app.static_folder or "")
    versions: dict[str, str] = {}

    @app.url_defaults
    def _version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "filename" not in values:
            return
        name = values["filename"]
        if name not in versions:
            try:
                versions[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()[:12]
            except OSError:
                return
        values["v"] = versions[name]
