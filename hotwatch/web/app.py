"""The Flask application factory for ``hotwatch serve``."""

from __future__ import annotations

import logging

from flask import Flask

from hotwatch.config import Config
from hotwatch.web import api, auth, context, errors, handling, present, security, views
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
    security.install(app, token or None)
    present.register(app.jinja_env)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(handling.bp)
    errors.register(app)
    app.teardown_request(context.release)
    return app
